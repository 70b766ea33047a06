import { DomainError } from '../domain';

/** Opaque keyset cursors: the last item's sort key, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T extends Record<string, unknown>>(cursor: string | undefined, fields: (keyof T)[]): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (value && typeof value === 'object' && fields.every((f) => typeof value[f] === 'string')) return value;
  } catch {
    /* falls through to the error below */
  }
  throw new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => Record<string, unknown>): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: more ? encodeCursor(keyOf(pageRows[pageRows.length - 1])) : null,
  };
}
