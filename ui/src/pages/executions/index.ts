import { lazy } from 'preact-iso';
import type { AreaRoute } from '../../routing';

// The Executions area's client routes (relative to /ui). Each page is its own chunk, loaded when first shown.
export const routes: AreaRoute[] = [
  { path: '/executions', component: lazy(() => import('./executions-page')) },
  { path: '/executions/:id', component: lazy(() => import('./execution-page')) },
];
