import { Problems, readPattern, readUniqueStrings } from './problems';

const PERMISSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/*-]{0,127}$/;
const PERMISSION_FORMAT = 'a permission of 1–128 characters: letters, digits, . _ : / * -';

/**
 * A list of unique permissions (at most 100, each 1–128 characters) at `path`; absent means empty.
 * `dedupe` drops repeated items instead of reporting them.
 */
export function readPermissions(value: unknown, problems: Problems, options: { path?: string; dedupe?: boolean } = {}): string[] {
  if (options.dedupe && Array.isArray(value)) value = [...new Set(value)];
  return readUniqueStrings(value, options.path ?? 'permissions', problems, {
    maxItems: 100,
    item: (text, path) => readPattern(text, path, problems, PERMISSION_PATTERN, PERMISSION_FORMAT) !== undefined,
  });
}

/** `first` then the items of `second` not already in it (order kept). */
export function unionOf(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}
