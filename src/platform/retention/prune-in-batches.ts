import { RetentionRun } from './retention-job';

export interface PrunableRows {
  /** A table name (trusted: written in code, never from input). */
  table: string;
  /** Which rows may go, with $1… placeholders for `params`. */
  where: string;
  params: unknown[];
  /** Oldest first, ideally served by an index. */
  orderBy: string;
}

/**
 * Deletes the rows `where` selects, RETENTION_BATCH_SIZE per statement (each its own short
 * transaction), pausing between batches: each batch locks its rows with FOR UPDATE SKIP LOCKED (a
 * row someone holds is left for the next run) and deletes them by ctid. A dry run counts the same
 * rows in one statement. Returns the rows deleted (or counted).
 */
export async function pruneInBatches(run: RetentionRun, rows: PrunableRows): Promise<number> {
  const { table, where, params, orderBy } = rows;
  if (run.dryRun) {
    const [row] = await run.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return row.n;
  }
  const limit = `$${params.length + 1}`;
  const sql = `WITH gone AS (
      DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${table} WHERE ${where} ORDER BY ${orderBy} LIMIT ${limit} FOR UPDATE SKIP LOCKED))
      RETURNING 1)
    SELECT count(*)::int AS n FROM gone`;
  let total = 0;
  for (;;) {
    const [row] = await run.db.query<{ n: number }>(sql, [...params, run.batchSize]);
    total += row.n;
    if (row.n < run.batchSize || !(await run.next())) return total;
  }
}
