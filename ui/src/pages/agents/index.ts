import { lazy } from 'preact-iso';
import type { AreaRoute } from '../../routing';

// The Agents area's client routes (relative to /ui). Each page is its own chunk, loaded when first shown.
export const routes: AreaRoute[] = [
  { path: '/agents', component: lazy(() => import('./agents-page')) },
  { path: '/agents/:id', component: lazy(() => import('./agent-page')) },
];
