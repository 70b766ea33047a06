import { lazy } from 'preact-iso';
import type { AreaRoute } from '../../routing';

// The Workflows area's client routes (relative to /ui). Each page is its own chunk, loaded when first shown.
export const routes: AreaRoute[] = [
  { path: '/workflows', component: lazy(() => import('./workflows-page')) },
  { path: '/workflows/:id', component: lazy(() => import('./workflow-page')) },
  { path: '/workflows/:id/versions/:version', component: lazy(() => import('./workflow-version-page')) },
];
