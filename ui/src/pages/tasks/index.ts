import { lazy } from 'preact-iso';
import type { AreaRoute } from '../../routing';

// The Tasks area's client routes (relative to /ui). Each page is its own chunk, loaded when first shown.
export const routes: AreaRoute[] = [
  { path: '/tasks', component: lazy(() => import('./tasks-page')) },
  { path: '/tasks/:id', component: lazy(() => import('./task-page')) },
];
