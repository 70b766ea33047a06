import { uiPath } from '../../routing';

/** The page of a workflow (its versions). */
export function workflowPath(id: string): string {
  return uiPath(`/workflows/${encodeURIComponent(id)}`);
}

/** The page of a workflow version. */
export function versionPath(id: string, version: string): string {
  return uiPath(`/workflows/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`);
}
