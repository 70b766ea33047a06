import { Injectable } from '@nestjs/common';
import { MemorySql } from './memory-sql';

export interface TenantMemory {
  id: string;
  tenantId: string;
  namespace: string;
}

export interface TenantMembership {
  tenantId: string;
  collectionId: string;
  memoryId: string;
}

/**
 * The maintenance job's set-based statements across tenants, in the caller's transaction. Each
 * takes a batch with SKIP LOCKED, so it never waits on a memory a request is changing.
 */
@Injectable()
export class MemoryMaintenanceSql {
  constructor(private readonly sql: MemorySql) {}

  /** Soft-deletes up to `limit` memories whose expiresAt has passed; they leave their collections. */
  async expireBatch(limit: number): Promise<{ expired: TenantMemory[]; removed: TenantMembership[] }> {
    const rows = await this.sql.query<{ id: string; tenant_id: string; namespace: string }>(
      `WITH due AS (
         SELECT id FROM memories WHERE expires_at <= now() AND status <> 'deleted' ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE memories m SET status = 'deleted', deleted_at = now(), updated_at = now(), row_version = m.row_version + 1
         FROM due WHERE m.id = due.id
       RETURNING m.id, m.tenant_id, m.namespace::text AS namespace`,
      [limit],
    );
    const expired = rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, namespace: r.namespace }));
    if (!expired.length) return { expired, removed: [] };
    const removed = await this.sql.query<{ tenant_id: string; collection_id: string; memory_id: string }>(
      `DELETE FROM memory_collection_items WHERE memory_id = ANY($1::uuid[]) RETURNING tenant_id, collection_id, memory_id`,
      [expired.map((m) => m.id)],
    );
    return { expired, removed: removed.map((r) => ({ tenantId: r.tenant_id, collectionId: r.collection_id, memoryId: r.memory_id })) };
  }

  /**
   * Hard-deletes up to `limit` memories soft-deleted more than `retentionDays` ago (their revisions
   * and memberships go with them through the foreign keys).
   */
  async purgeBatch(retentionDays: number, limit: number): Promise<TenantMemory[]> {
    const rows = await this.sql.query<{ id: string; tenant_id: string; namespace: string }>(
      `WITH due AS (
         SELECT id FROM memories WHERE status = 'deleted' AND deleted_at < now() - make_interval(days => $1)
          ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       DELETE FROM memories m USING due WHERE m.id = due.id
       RETURNING m.id, m.tenant_id, m.namespace::text AS namespace`,
      [retentionDays, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, namespace: r.namespace }));
  }
}
