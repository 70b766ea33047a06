import { createHash } from 'node:crypto';
import { MemoryFilters } from '../contracts';
import { memoryFilterSql } from './memory-filters.sql';
import { MEMORY_COLUMNS, MemoryRow } from './memory-row.mapper';
import { withPendingRowsSql } from './memory-pending.sql';
import { sqlLiteral } from './pg-embedding-models';
import { toVectorText } from './vector-text';

/**
 * The SQL of memory search. Statements are built per shape (which filters are present, model,
 * dimensions, limit) and run as prepared statements named by a hash of their text, so each shape is
 * parsed once per connection. The model name and the dimensions are literals, not parameters: the
 * planner can only use a model's partial index `USING hnsw ((embedding::vector(<dims>)) …) WHERE
 * embedding_model = '<model>'` when it can prove the WHERE clause implies the index predicate, which a
 * parameter does not (in a generic plan). The limit is a literal too, so generic plans estimate it.
 */
export interface SqlStatement {
  name: string;
  text: string;
  params: unknown[];
}

/** A memory row (every field but the vector, see memory-row.mapper.ts) with its cosine distance to the query. */
export type VectorRow = MemoryRow & { distance: number };
/** A memory row with its ts_rank_cd. */
export type TextRow = MemoryRow & { rank: number };

function statement(text: string, params: unknown[]): SqlStatement {
  return { name: `cognitionos_mem_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, params };
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${n}`);
  return n;
}

/** How many rows of the model match the filters, counting no further than `cap` (so at most `cap` rows are read). */
export function countMatchesSql(tenantId: string, filters: MemoryFilters, model: string, cap: number): SqlStatement {
  const f = memoryFilterSql(tenantId, filters, 1);
  const text = `SELECT count(*)::int AS n FROM (SELECT 1 FROM memories m WHERE ${f.where} AND m.embedding_model = ${sqlLiteral(model)} LIMIT ${positiveInt(cap, 'cap')}) s`;
  return statement(text, f.params);
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
}

/** The nearest memories of one model by cosine distance (similarity = 1 − distance), vectors of other models never compared. */
export function vectorSearchSql(q: VectorSearchSql): SqlStatement {
  const f = memoryFilterSql(q.tenantId, q.filters, 1);
  const dims = positiveInt(q.dimensions, 'dimensions');
  const vectorParam = `$${f.params.length + 1}::vector(${dims})`;
  const distance = `(m.embedding::vector(${dims}) <=> ${vectorParam})`;
  const orderBy = q.strategy === 'exact' ? `${distance} + 0` : distance;
  const where = `${f.where} AND m.embedding_model = ${sqlLiteral(q.model)}`;
  const text =
    q.strategy === 'index'
      ? withPendingRowsSql(`${MEMORY_COLUMNS}, ${distance} AS distance`, where, distance, positiveInt(q.limit, 'limit'))
      : `SELECT ${MEMORY_COLUMNS}, ${distance} AS distance
FROM memories m
WHERE ${where}
ORDER BY ${orderBy}
LIMIT ${positiveInt(q.limit, 'limit')}`;
  return statement(text, [...f.params, toVectorText(q.vector)]);
}

/** Full-text search with `websearch_to_tsquery('english', …)` over the generated tsvector (GIN), ranked by ts_rank_cd. */
export function textSearchSql(tenantId: string, filters: MemoryFilters, query: string, limit: number): SqlStatement {
  const f = memoryFilterSql(tenantId, filters, 1);
  const text = `SELECT ${MEMORY_COLUMNS}, ts_rank_cd(m.content_tsv, q) AS rank
FROM memories m, websearch_to_tsquery('english', $${f.params.length + 1}) q
WHERE ${f.where} AND m.content_tsv @@ q
ORDER BY rank DESC, m.id DESC
LIMIT ${positiveInt(limit, 'limit')}`;
  return statement(text, [...f.params, query]);
}
