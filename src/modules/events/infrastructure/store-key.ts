import { decodeCursor } from '@cognition/platform/pagination/cursor';
import { DomainError } from '@cognition/platform/domain';

/** A place in the store, `(tx_id, position)`, both decimal strings (xid8 and bigint). */
export interface StoreKey {
  txId: string;
  position: string;
}

const DIGITS = /^\d{1,20}$/;
const MAX_TX = 2n ** 64n - 1n;
const MAX_POSITION = 2n ** 63n - 1n;

export const isStoreKey = (key: { txId?: unknown; position?: unknown }): key is StoreKey =>
  typeof key.txId === 'string' && typeof key.position === 'string' && DIGITS.test(key.txId) && DIGITS.test(key.position) && BigInt(key.txId) <= MAX_TX && BigInt(key.position) <= MAX_POSITION;

/** A cursor of GET /events; forged or edited ones are 400 INVALID_CURSOR (the tag is a checksum, not a secret: values are checked too). */
export function decodeStoreCursor(cursor: string | undefined): StoreKey | undefined {
  const key = decodeCursor<{ txId: string; position: string }>(cursor, ['txId', 'position']);
  if (key === undefined) return undefined;
  if (!isStoreKey(key)) throw new DomainError('INVALID_CURSOR', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', code: 'INVALID_CURSOR', message: 'not a cursor this API issued' }]);
  return { txId: key.txId, position: key.position };
}
