import { lazy } from 'preact-iso';
import type { AreaRoute } from '../../routing';

// The Traces area's client routes (relative to /ui). Each page is its own chunk, loaded when first shown.
// /traces/:id takes a span id, or the id of a traced thing (an execution, a task…) whose trace it looks up.
export const routes: AreaRoute[] = [
  { path: '/traces', component: lazy(() => import('./traces-page')) },
  { path: '/traces/:id', component: lazy(() => import('./trace-page')) },
];
