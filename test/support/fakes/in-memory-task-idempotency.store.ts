import { TaskIdempotencyStore, type IdempotencyReservation } from '@cognition/task/domain/task-idempotency.port';

/** Idempotency keys in memory (no transactions: a failed request keeps nothing only if it failed before reserve). */
export class InMemoryTaskIdempotencyStore extends TaskIdempotencyStore {
  private readonly keys = new Map<string, { requestHash: string; taskIds: string[] }>();

  async reserve(tenantId: string, key: string, requestHash: string): Promise<IdempotencyReservation> {
    const first = this.keys.get(JSON.stringify([tenantId, key]));
    if (first) return { reserved: false, requestHash: first.requestHash, taskIds: [...first.taskIds] };
    this.keys.set(JSON.stringify([tenantId, key]), { requestHash, taskIds: [] });
    return { reserved: true };
  }

  async recordResult(tenantId: string, key: string, taskIds: readonly string[]): Promise<void> {
    const entry = this.keys.get(JSON.stringify([tenantId, key]));
    if (entry) entry.taskIds = [...taskIds];
  }

  /** Test helper: forgets a key, as a rolled-back transaction would. */
  forget(tenantId: string, key: string): void {
    this.keys.delete(JSON.stringify([tenantId, key]));
  }
}
