import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { MemorySql } from './memory-sql';

/**
 * Idempotent creation (`Idempotency-Key` on POST /memories, and the `memory_store` step's key per
 * step execution): the first request with a key records the ids it created in its transaction; a
 * repeat with the same body gets those memories back, another body is 409 IDEMPOTENCY_KEY_REUSED.
 * A concurrent repeat waits for the first transaction (the key's primary key) and then sees its ids.
 */
@Injectable()
export class MemoryIdempotencyKeys {
  constructor(private readonly sql: MemorySql) {}

  static hash(body: unknown): string {
    return createHash('sha256').update(JSON.stringify(body)).digest('hex');
  }

  /** In the caller's transaction: null when the key is new (now claimed), else the ids created under it. */
  async claim(tenantId: string, key: string, hash: string): Promise<string[] | null> {
    const inserted = await this.sql.query(`INSERT INTO memory_idempotency_keys (tenant_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`, [tenantId, key, hash]);
    if (inserted.length) return null;
    const [row] = await this.sql.query<{ request_hash: string; memory_ids: string[] }>(`SELECT request_hash, memory_ids FROM memory_idempotency_keys WHERE tenant_id = $1 AND key = $2`, [tenantId, key]);
    if (row.request_hash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key}" was used with another body`);
    return row.memory_ids;
  }

  async complete(tenantId: string, key: string, ids: string[]): Promise<void> {
    await this.sql.query(`UPDATE memory_idempotency_keys SET memory_ids = $3 WHERE tenant_id = $1 AND key = $2`, [tenantId, key, ids]);
  }
}
