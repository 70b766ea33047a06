import type { AnyComponent } from 'preact';

/** Where the dashboard is served (vite.config.ts `base`, src/platform/http/dashboard.ts). */
export const UI_BASE = '/ui';

/** A client route of an area, relative to /ui: `{ path: '/executions/:id', component: ExecutionPage }`. */
export interface AreaRoute {
  path: string;
  // preact-iso passes the route's params as props.
  component: AnyComponent<any>;
}

/** The URL of a client route: uiPath('/executions/' + id) → '/ui/executions/<id>' (use it in every <a href>). */
export function uiPath(path: string): string {
  return `${UI_BASE}${path.startsWith('/') ? path : `/${path}`}`;
}
