/**
 * Pending vectors: memories stored with `vector_pending = true` are durable (row and vector in the
 * creating transaction) but not yet in their model's HNSW index, whose predicate excludes them. The
 * vector indexer (application/indexing/vector-indexer.ts) clears the flag a batch at a time: that
 * UPDATE puts the rows into the index. Searches see pending rows exactly: the index part of a vector
 * search is joined by an exact scan of the pending rows under the same filter.
 */

/**
 * Clears the flag of up to $1 pending rows, skipping rows another transaction holds (another
 * instance's indexer, a concurrent update): one statement, one transaction, the HNSW inserts of
 * the batch included.
 */
export const INDEX_PENDING = `
  UPDATE memories m SET vector_pending = false
  WHERE m.id IN (SELECT id FROM memories WHERE vector_pending LIMIT $1 FOR UPDATE SKIP LOCKED) AND m.vector_pending
  RETURNING m.id`;

/** How many rows are pending, counting no further than $1. */
export const COUNT_PENDING = `SELECT count(*)::int AS n FROM (SELECT 1 FROM memories WHERE vector_pending LIMIT $1) p`;

/**
 * A vector search through the model's index that also sees the pending rows: the index's nearest
 * `limit` rows (the index holds no pending row) and the nearest `limit` pending rows under the same
 * filter (through idx_memories_vector_pending: an exact scan of the few rows not indexed yet),
 * merged by distance. `where` is the search's filter including the model (alias `m`); `select` its
 * columns; `distance` the expression the index orders by.
 */
export function withPendingRowsSql(select: string, where: string, distance: string, limit: number): string {
  return `SELECT * FROM (
  (SELECT ${select} FROM memories m WHERE ${where} AND NOT m.vector_pending ORDER BY ${distance} LIMIT ${limit})
  UNION ALL
  (SELECT ${select} FROM memories m WHERE ${where} AND m.vector_pending ORDER BY ${distance} LIMIT ${limit})
) found ORDER BY distance LIMIT ${limit}`;
}
