/**
 * The statements of memory creation (no framework imports: bench/memory-writes replays them
 * statement by statement to time each one).
 */
import type { MemoryState } from '../domain/memory.aggregate';
import { importanceRank } from './memory-filters.sql';
import { toVectorText } from './vector-text';

/**
 * One statement for any number of memories: the columns travel as parallel arrays and `unnest`
 * turns them into rows (no per-row round trip, no statement text that grows with the batch).
 * Tags and summaryOf are arrays per row, so they travel as JSON. With $20 true, the rows of models
 * with an HNSW index are stored with `vector_pending`: outside the index, which the background
 * indexer brings up to date (memory-pending.sql.ts); IVFFlat inserts are cheap and stay inline.
 */
export const INSERT_MANY = `
  INSERT INTO memories (id, tenant_id, user_id, agent_id, session_id, content, memory_type, scope, namespace, embedding,
    embedding_model, status, importance, importance_rank, metadata, tags, expires_at, summary_of, created_at, updated_at, row_version, vector_pending)
  SELECT v.id, v.tenant_id, v.user_id, v.agent_id, v.session_id, v.content, v.memory_type, v.scope, v.namespace::ltree, v.embedding::vector,
    v.embedding_model, v.status, v.importance, v.importance_rank, v.metadata,
    ARRAY(SELECT jsonb_array_elements_text(v.tags)), v.expires_at, ARRAY(SELECT jsonb_array_elements_text(v.summary_of))::uuid[],
    v.created_at, v.created_at, 1,
    $20::boolean AND EXISTS (SELECT 1 FROM memory_embedding_models e WHERE e.model = v.embedding_model AND e.index_type = 'hnsw')
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
    $11::text[], $12::text[], $13::text[], $14::smallint[], $15::jsonb[], $16::jsonb[], $17::timestamptz[], $18::jsonb[], $19::timestamptz[])
    AS v(id, tenant_id, user_id, agent_id, session_id, content, memory_type, scope, namespace, embedding,
      embedding_model, status, importance, importance_rank, metadata, tags, expires_at, summary_of, created_at)`;

/** INSERT_MANY's parameters: one array per column, then whether the index may be brought up to date after the write. */
export function insertManyParams(states: readonly MemoryState[], deferIndex: boolean): unknown[] {
  const column = <T>(pick: (s: MemoryState) => T) => states.map(pick);
  return [
    column((s) => s.id),
    column((s) => s.tenantId),
    column((s) => s.userId),
    column((s) => s.agentId),
    column((s) => s.sessionId),
    column((s) => s.content),
    column((s) => s.memoryType),
    column((s) => s.scope),
    column((s) => s.namespace),
    column((s) => (s.embedding ? toVectorText(s.embedding) : null)),
    column((s) => s.embeddingModel),
    column((s) => s.status),
    column((s) => s.importance),
    column((s) => importanceRank(s.importance)),
    column((s) => JSON.stringify(s.metadata)),
    column((s) => JSON.stringify(s.tags)),
    column((s) => s.expiresAt),
    column((s) => JSON.stringify(s.summaryOf)),
    column((s) => s.createdAt),
    deferIndex,
  ];
}

/** The TTL (days) of the deepest enabled policy with one above each namespace ($2, text[]), per tenant ($1). */
export const DEFAULT_TTL_DAYS = `
  SELECT DISTINCT ON (n.ns) n.ns AS namespace, p.ttl_days
  FROM unnest($2::text[]) AS n(ns)
  JOIN memory_policies p ON p.tenant_id = $1 AND p.enabled AND p.ttl_days IS NOT NULL AND p.namespace @> n.ns::ltree
  ORDER BY n.ns, nlevel(p.namespace) DESC, p.ttl_days ASC`;
