import { createHash } from 'node:crypto';
import { MemoryFilters } from '../contracts';
import type { SearchPlans } from './memory-search.pool';
import { memoryFilterSql } from './memory-filters.sql';
import { MEMORY_COLUMNS, MEMORY_EMBEDDING_COLUMN, MemoryRow } from './memory-row.mapper';
import { withPendingRowsSql } from './memory-pending.sql';
import { sqlLiteral } from './pg-embedding-models';
import { toVectorBinary } from './vector-text';

/**
 * The SQL of memory search. Statements are built per shape (which filters are present, model,
 * dimensions, limit) and prepared: parsed once per connection, named by a hash of their text.
 * Plans must never depend on a guess the planner makes without the parameter values (the "plan
 * flip": a cached generic plan for a broad filter scanned the filter's index and sorted every
 * match). So the index strategy's statement keeps its plan (`cached`: planned once, generic after
 * five executions), which is the model's vector index whatever the estimates, because search
 * connections run with `enable_sort = off` (the only other way to order by distance is a sort);
 * every statement whose best plan depends on the values (the exact strategy, the count, full-text)
 * is `per-execution`: sent on connections that plan each execution for its values
 * (memory-search.pool.ts). The query vector is sent in pgvector's binary format (vector-text.ts).
 *
 * The model name and the dimensions are literals, not parameters: the planner can only use a
 * model's partial index `USING hnsw ((embedding::vector(<dims>)) …) WHERE embedding_model =
 * '<model>'` when it can prove the WHERE clause implies the index predicate, which a parameter does
 * not (in a generic plan). The limit is a literal too, so generic plans estimate it.
 */
export interface SqlStatement {
  /** The prepared statement's name (a hash of the text). */
  name: string;
  text: string;
  params: unknown[];
  /** Which connections it must be sent on (MemorySearchPool.run). */
  plans: SearchPlans;
}

/** A memory row (every field but the vector, see memory-row.mapper.ts) with its cosine distance to the query. */
export type VectorRow = MemoryRow & { distance: number };
/** A memory row with its ts_rank_cd. */
export type TextRow = MemoryRow & { rank: number };

const names = new Map<string, string>();
const MAX_NAMES = 1_000;

/** A prepared statement named by a hash of its text (remembered: the same shapes come again and again). */
function statement(text: string, params: unknown[], plans: SearchPlans): SqlStatement {
  let name = names.get(text);
  if (name === undefined) {
    name = `cognitionos_mem_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return { name, text, params, plans };
}

const columns = (withEmbedding = false) => (withEmbedding ? `${MEMORY_COLUMNS}, ${MEMORY_EMBEDDING_COLUMN}` : MEMORY_COLUMNS);

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${n}`);
  return n;
}

/** How many rows of the model match the filters, counting no further than `cap` (so at most `cap` rows are read). */
export function countMatchesSql(tenantId: string, filters: MemoryFilters, model: string, cap: number): SqlStatement {
  const f = memoryFilterSql(tenantId, filters, 1);
  const text = `SELECT count(*)::int AS n FROM (SELECT 1 FROM memories m WHERE ${f.where} AND m.embedding_model = ${sqlLiteral(model)} LIMIT ${positiveInt(cap, 'cap')}) s`;
  return statement(text, f.params, 'per-execution');
}

export interface VectorSearchSql {
  tenantId: string;
  filters: MemoryFilters;
  model: string;
  dimensions: number;
  vector: readonly number[];
  limit: number;
  /**
   * `exact`: ordered by an expression the vector index cannot serve, so the planner reaches the
   * rows through the filter's own indexes and sorts every match by its exact distance.
   * `index`: ordered by the model's HNSW/IVFFlat index (with iterative scans on the connection).
   */
  strategy: 'exact' | 'index';
  /** Read the vector too (MEMORY_EMBEDDING_COLUMN). */
  withEmbedding?: boolean;
  /** The exact strategy: how many rows match (the reader's count), which picks the statement's shape. */
  matches?: number;
}

/**
 * From this many matching rows on, the exact strategy sorts only (id, distance) and reads the
 * other columns of the `limit` nearest rows afterwards, by primary key. Sorting whole rows copies
 * every match's columns into the top-N sort (about 0.3 µs a row); the join back costs a fixed 0.1
 * to 0.2 ms (mostly planning), so it pays from a few hundred rows on (measured on the memory
 * bench's data: 2,000 matches 3.1 → 2.5 ms, 200 matches 0.25 → 0.29 ms).
 */
export const EXACT_SORT_IDS_FROM_ROWS = 500;

/** The nearest memories of one model by cosine distance (similarity = 1 − distance), vectors of other models never compared. */
export function vectorSearchSql(q: VectorSearchSql): SqlStatement {
  const f = memoryFilterSql(q.tenantId, q.filters, 1);
  const dims = positiveInt(q.dimensions, 'dimensions');
  const vectorParam = `$${f.params.length + 1}::vector(${dims})`;
  const distance = `(m.embedding::vector(${dims}) <=> ${vectorParam})`;
  const where = `${f.where} AND m.embedding_model = ${sqlLiteral(q.model)}`;
  const limit = positiveInt(q.limit, 'limit');
  const params = [...f.params, toVectorBinary(q.vector)];
  if (q.strategy === 'index') return statement(withPendingRowsSql(`${columns(q.withEmbedding)}, ${distance} AS distance`, where, distance, limit), params, 'cached');
  return statement(exactSql(columns(q.withEmbedding), distance, where, limit, (q.matches ?? 0) >= EXACT_SORT_IDS_FROM_ROWS), params, 'per-execution');
}

/**
 * The exact strategy: ordered by `distance + 0`, an expression the vector index cannot serve, so the
 * planner reaches the rows through the filter's indexes and sorts them. The distance is computed
 * once a row (the output column is the sort key). With `idsFirst`, the sort carries only ids.
 */
function exactSql(select: string, distance: string, where: string, limit: number, idsFirst: boolean): string {
  const nearest = (cols: string) => `SELECT ${cols}, ${distance} + 0 AS distance
FROM memories m
WHERE ${where}
ORDER BY distance
LIMIT ${limit}`;
  if (!idsFirst) return nearest(select);
  return `SELECT ${select}, s.distance
FROM (${nearest('m.id')}) s
JOIN memories m ON m.id = s.id
ORDER BY s.distance`;
}

/** Full-text search with `websearch_to_tsquery('english', …)` over the generated tsvector (GIN), ranked by ts_rank_cd. */
export function textSearchSql(tenantId: string, filters: MemoryFilters, query: string, limit: number, withEmbedding = false): SqlStatement {
  const f = memoryFilterSql(tenantId, filters, 1);
  const text = `SELECT ${columns(withEmbedding)}, ts_rank_cd(m.content_tsv, q) AS rank
FROM memories m, websearch_to_tsquery('english', $${f.params.length + 1}) q
WHERE ${f.where} AND m.content_tsv @@ q
ORDER BY rank DESC, m.id DESC
LIMIT ${positiveInt(limit, 'limit')}`;
  return statement(text, [...f.params, query], 'per-execution');
}
