import { Injectable } from '@nestjs/common';
import type { MemoryImportance, MemoryScope, MemoryType } from '../contracts';
import { MemorySql } from './memory-sql';
import { fromVectorText } from './vector-text';

/** A memory as a merge needs it: enough to write the summary memory. */
export interface MergeSource {
  id: string;
  content: string;
  memoryType: MemoryType;
  scope: MemoryScope;
  namespace: string;
  userId: string | null;
  agentId: string | null;
  sessionId: string | null;
  importance: MemoryImportance;
  importanceRank: number;
  tags: string[];
  expiresAt: Date | null;
  embeddingModel: string | null;
  createdAt: Date;
}

export interface ChangedMemory {
  id: string;
  namespace: string;
}

export interface RemovedMembership {
  collectionId: string;
  memoryId: string;
}

/**
 * The writes of a policy application, in the caller's transaction. Every update re-checks the
 * rule's conditions (status, importance below the threshold), so a memory changed by someone else
 * since the plan was read is skipped; each returns the memories it actually changed.
 */
@Injectable()
export class MemoryPolicyActionsWriter {
  constructor(private readonly sql: MemorySql) {}

  /** Row locks on the memories the plan touches, in id order (no deadlock between two appliers). */
  async lock(ids: string[]): Promise<void> {
    if (ids.length) await this.sql.query(`SELECT id FROM memories WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /** The members that may still be merged (active, below the threshold, not expired), in the given order. */
  async mergeSources(tenantId: string, ids: string[], thresholdRank: number): Promise<MergeSource[]> {
    const rows = await this.sql.query(
      `SELECT m.id, m.content, m.memory_type, m.scope, m.namespace::text AS namespace, m.user_id, m.agent_id, m.session_id, m.importance,
              m.importance_rank, m.tags, m.expires_at, m.embedding_model, m.created_at
         FROM memories m
        WHERE m.tenant_id = $1 AND m.id = ANY($2::uuid[]) AND m.status = 'active' AND m.importance_rank < $3
          AND (m.expires_at IS NULL OR m.expires_at > now())`,
      [tenantId, ids, thresholdRank],
    );
    const byId = new Map(
      rows.map((r) => [
        r.id as string,
        {
          id: r.id,
          content: r.content,
          memoryType: r.memory_type,
          scope: r.scope,
          namespace: r.namespace,
          userId: r.user_id,
          agentId: r.agent_id,
          sessionId: r.session_id,
          importance: r.importance,
          importanceRank: Number(r.importance_rank),
          tags: r.tags ?? [],
          expiresAt: r.expires_at,
          embeddingModel: r.embedding_model,
          createdAt: r.created_at,
        } as MergeSource,
      ]),
    );
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The normalised mean of the members' vectors (all of one model), or null when any has none. */
  async meanVector(ids: string[]): Promise<number[] | null> {
    const [row] = await this.sql.query<{ mean: string | null; missing: string }>(
      `SELECT avg(embedding)::text AS mean, count(*) FILTER (WHERE embedding IS NULL) AS missing FROM memories WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const mean = fromVectorText(row?.mean ?? null);
    if (!mean || Number(row.missing) > 0) return null;
    const norm = Math.hypot(...mean);
    return norm > 0 ? mean.map((x) => x / norm) : null;
  }

  async setSummaryOf(summaryId: string, ids: string[]): Promise<void> {
    await this.sql.query(`UPDATE memories SET summary_of = $2::uuid[] WHERE id = $1`, [summaryId, ids]);
  }

  async markCompressed(tenantId: string, ids: string[], thresholdRank: number): Promise<ChangedMemory[]> {
    return this.change(tenantId, ids, `status = 'compressed'`, `m.status = 'active' AND m.importance_rank < $3 AND (m.expires_at IS NULL OR m.expires_at > now())`, thresholdRank);
  }

  async archive(tenantId: string, ids: string[], thresholdRank: number): Promise<ChangedMemory[]> {
    return this.change(tenantId, ids, `status = 'archived'`, `m.status IN ('active', 'compressed') AND m.importance_rank < $3 AND (m.expires_at IS NULL OR m.expires_at > now())`, thresholdRank);
  }

  /** Soft delete (status `deleted`, `deleted_at` now); `expiredOnly` re-checks that expiresAt has passed. */
  async softDelete(tenantId: string, ids: string[], thresholdRank: number, expiredOnly = false): Promise<ChangedMemory[]> {
    const expiry = expiredOnly ? ` AND m.expires_at <= now()` : '';
    return this.change(tenantId, ids, `status = 'deleted', deleted_at = now()`, `m.status <> 'deleted' AND m.importance_rank < $3${expiry}`, thresholdRank);
  }

  /** A soft-deleted memory leaves every collection. */
  async leaveCollections(memoryIds: string[]): Promise<RemovedMembership[]> {
    if (!memoryIds.length) return [];
    const rows = await this.sql.query<{ collection_id: string; memory_id: string }>(
      `DELETE FROM memory_collection_items WHERE memory_id = ANY($1::uuid[]) RETURNING collection_id, memory_id`,
      [memoryIds],
    );
    return rows.map((r) => ({ collectionId: r.collection_id, memoryId: r.memory_id }));
  }

  private async change(tenantId: string, ids: string[], set: string, guard: string, thresholdRank: number): Promise<ChangedMemory[]> {
    if (!ids.length) return [];
    const rows = await this.sql.query<{ id: string; namespace: string }>(
      `UPDATE memories m SET ${set}, updated_at = now(), row_version = m.row_version + 1
        WHERE m.tenant_id = $1 AND m.id = ANY($2::uuid[]) AND ${guard}
        RETURNING m.id, m.namespace::text AS namespace`,
      [tenantId, ids, thresholdRank],
    );
    const changed = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => changed.get(id) ?? []);
  }
}
