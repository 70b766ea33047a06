import { Injectable } from '@nestjs/common';
import type { SimilarPair } from '../domain/dedup/near-duplicate-groups';
import type { PlanMemory } from '../domain/lifecycle/policy-plan';
import { memoryFilterSql } from './memory-filters.sql';
import { MemorySql } from './memory-sql';

interface PlanMemoryRow {
  id: string;
  namespace: string;
  memory_type: string;
  embedding_model: string | null;
  importance_rank: number;
  access_count: number;
  last_accessed_at: Date | null;
  created_at: Date;
  status: PlanMemory['status'];
  expired: boolean;
}

/**
 * What a policy's plan is computed from, read in the caller's transaction (so `now()` is the
 * transaction's time, the same for every read of the plan).
 */
@Injectable()
export class MemoryPolicyPlanReader {
  constructor(private readonly sql: MemorySql) {}

  async now(): Promise<Date> {
    const [row] = await this.sql.query<{ now: Date }>(`SELECT now() AS now`);
    return row.now;
  }

  /** The subtree's memories below the threshold that are not deleted (expired ones flagged), with their access counts (a join: the set can be large). */
  async memories(tenantId: string, namespace: string, thresholdRank: number): Promise<PlanMemory[]> {
    const rows = await this.sql.query<PlanMemoryRow>(
      `SELECT m.id, m.namespace::text AS namespace, m.memory_type, m.embedding_model, m.importance_rank,
              COALESCE(a.access_count, 0) AS access_count, a.last_accessed_at,
              m.created_at, m.status, (m.expires_at IS NOT NULL AND m.expires_at <= now()) AS expired
         FROM memories m LEFT JOIN memory_access a ON a.memory_id = m.id
        WHERE m.tenant_id = $1 AND m.namespace <@ $2::ltree AND m.status <> 'deleted' AND m.importance_rank < $3`,
      [tenantId, namespace, thresholdRank],
    );
    return rows.map((r) => ({
      id: r.id,
      namespace: r.namespace,
      memoryType: r.memory_type,
      embeddingModel: r.embedding_model,
      importanceRank: Number(r.importance_rank),
      accessCount: Number(r.access_count),
      lastAccessedAt: r.last_accessed_at,
      createdAt: r.created_at,
      status: r.status,
      expired: r.expired,
    }));
  }

  /** The subtree's live memories (active, compressed, archived; not expired) at or above the threshold. */
  async protectedLiveCount(tenantId: string, namespace: string, thresholdRank: number): Promise<number> {
    const filter = memoryFilterSql(tenantId, { namespace, includeArchived: true }, 2);
    const [row] = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM memories m WHERE m.importance_rank >= $1 AND ${filter.where}`, [thresholdRank, ...filter.params]);
    return Number(row.n);
  }

  /**
   * Pairs of the given memories with cosine similarity ≥ `minSimilarity`, in the same namespace,
   * of the same type and embedding model (so of the same dimensions: vectors of different models
   * are never compared). An exact self-join on the candidate set (capped by the planner).
   */
  async similarPairs(ids: string[], minSimilarity: number): Promise<SimilarPair[]> {
    if (ids.length < 2) return [];
    const rows = await this.sql.query<{ a: string; b: string; similarity: number }>(
      `SELECT a.id AS a, b.id AS b, 1 - (a.embedding <=> b.embedding) AS similarity
         FROM memories a
         JOIN memories b ON b.namespace = a.namespace AND b.memory_type = a.memory_type AND b.embedding_model = a.embedding_model AND b.id > a.id
        WHERE a.id = ANY($1::uuid[]) AND b.id = ANY($1::uuid[])
          AND a.embedding IS NOT NULL AND b.embedding IS NOT NULL
          AND (a.embedding <=> b.embedding) <= $2`,
      [ids, 1 - minSimilarity + 1e-9],
    );
    return rows.map((r) => ({ a: r.a, b: r.b, similarity: Number(r.similarity) }));
  }
}
