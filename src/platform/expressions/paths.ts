const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `params` + `url` → `params.url`; keys that are not identifiers are quoted: `headers["Content-Type"]`. */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** `params.list` + 2 → `params.list[2]`. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
