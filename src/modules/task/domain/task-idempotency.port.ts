/** The first use of an idempotency key: what was asked (hash) and which tasks it created. */
export type IdempotencyReservation = { reserved: true } | { reserved: false; requestHash: string; taskIds: string[] };

/**
 * Port for Idempotency-Key bookkeeping of task creation, scoped by tenant. `reserve` takes the key
 * in the current transaction (a concurrent request with the same key waits for it to end); the
 * reservation disappears if the transaction rolls back.
 */
export abstract class TaskIdempotencyStore {
  abstract reserve(tenantId: string, key: string, requestHash: string): Promise<IdempotencyReservation>;

  abstract recordResult(tenantId: string, key: string, taskIds: readonly string[]): Promise<void>;
}
