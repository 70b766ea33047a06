import { lazy } from 'preact-iso';
import type { AreaRoute } from '../../routing';

// The Memory area's client routes (relative to /ui). Each page is its own chunk, loaded when first shown.
export const routes: AreaRoute[] = [
  { path: '/memory', component: lazy(() => import('./memory-page')) },
  { path: '/memory/:id', component: lazy(() => import('./memory-detail-page')) },
];
