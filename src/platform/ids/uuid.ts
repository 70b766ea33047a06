import { createHash } from 'node:crypto';
import { v7 } from 'uuid';

/** Server-made ids are UUIDv7 (time-ordered, so B-tree inserts stay local). */
export function newId(): string {
  return v7();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

const V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The millisecond timestamp a UUIDv7 carries, or undefined for anything else. */
export function timeOfV7(id: string): number | undefined {
  if (!V7_RE.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * A UUIDv7 that is a function of its inputs: the timestamp is `atMs`, the 74 bits a v7 fills at
 * random come from SHA-256 of `name`. For rows a projection writes, so that rebuilding the
 * projection (a replay) gives every row the id it had.
 */
export function stableV7(name: string, atMs: number): string {
  const hash = createHash('sha256').update(name).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, Math.min(Math.trunc(atMs), 2 ** 48 - 1)), 0, 6);
  bytes[6] = 0x70 | (hash[0] & 0x0f);
  bytes[7] = hash[1];
  bytes[8] = 0x80 | (hash[2] & 0x3f);
  hash.copy(bytes, 9, 3, 10);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
