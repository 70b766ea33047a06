import { createHash } from 'node:crypto';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { unstorableCharIn } from '@cognition/platform/json/unstorable-text';

/**
 * Opaque keyset cursors: the last item's sort key as base64url-encoded JSON, a dot, and an integrity
 * tag over it. The tag is a checksum, not a secret: it tells our cursors from garbage, truncated and
 * edited ones. A cursor is the client's input all the same, so its values are checked before any
 * query sees them (an `id` is a UUID, a `version` a semantic version, a `createdAt` a timestamp, any
 * other key a short storable string): a cursor that isn't ours is a 400 INVALID_CURSOR, never a 500.
 */
export function encodeCursor(key: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  return `${payload}.${tagOf(payload)}`;
}

/** The longest cursor accepted (ours are well under: a few keys of at most 256 characters). */
const MAX_CURSOR_LENGTH = 2048;
const MAX_VALUE_LENGTH = 256;
const SEMVER = /^\d{1,9}\.\d{1,9}\.\d{1,9}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function decodeCursor<T extends Record<string, unknown>>(cursor: string | undefined, fields: (keyof T & string)[]): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const value = parseCursor(cursor);
  if (value && fields.every((f) => validValue(f, value[f]))) return value as T;
  throw new DomainError('INVALID_CURSOR', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', code: 'INVALID_CURSOR', message: 'not a cursor this API issued' }]);
}

function parseCursor(cursor: string): Record<string, unknown> | undefined {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) return undefined;
  const dot = cursor.indexOf('.');
  if (dot < 1) return undefined;
  const payload = cursor.slice(0, dot);
  const tag = cursor.slice(dot + 1);
  if (!BASE64URL.test(payload) || tag !== tagOf(payload)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function validValue(field: string, value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH || unstorableCharIn(value)) return false;
  if (field === 'id') return isUuid(value);
  if (field === 'version') return SEMVER.test(value);
  if (field === 'createdAt') return !Number.isNaN(Date.parse(value));
  return true;
}

function tagOf(payload: string): string {
  return createHash('sha256').update('cognitionos-cursor-v1:').update(payload).digest('base64url').slice(0, 16);
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
