import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { IdempotencyReservation, TaskIdempotencyStore } from '../domain/task-idempotency.port';

/**
 * Keys in `task_idempotency_keys`. The insert takes the key: a concurrent request with the same
 * key blocks on the primary key until the first transaction ends, then reads its committed row
 * (or, if it rolled back, takes the key itself).
 */
@Injectable()
export class TypeOrmTaskIdempotencyStore extends TaskIdempotencyStore {
  constructor(private readonly txHost: TransactionHost) {
    super();
  }

  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  async reserve(tenantId: string, key: string, requestHash: string): Promise<IdempotencyReservation> {
    const inserted: unknown[] = await this.host.tx.query(
      `INSERT INTO task_idempotency_keys (tenant_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key`,
      [tenantId, key, requestHash],
    );
    if (inserted.length > 0) return { reserved: true };
    const [first]: { request_hash: string; task_ids: string[] }[] = await this.host.tx.query(
      `SELECT request_hash, task_ids FROM task_idempotency_keys WHERE tenant_id = $1 AND key = $2`,
      [tenantId, key],
    );
    // Only under an isolation level above READ COMMITTED could the committed first row be invisible here.
    if (!first) throw new DomainError('CONCURRENT_MODIFICATION', `Idempotency-Key ${key} is in use by a concurrent request; retry`);
    return { reserved: false, requestHash: first.request_hash, taskIds: first.task_ids };
  }

  async recordResult(tenantId: string, key: string, taskIds: readonly string[]): Promise<void> {
    await this.host.tx.query(`UPDATE task_idempotency_keys SET task_ids = $3::uuid[] WHERE tenant_id = $1 AND key = $2`, [tenantId, key, taskIds]);
  }
}
