import { Injectable } from '@nestjs/common';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from '@cognition/platform/retention/retention-job';

/** Bounds the walks, as the read model does. */
const MAX_DEPTH = 100;

/**
 * The next finished roots after the cursor, made before the cutoff (span ids are UUIDv7: `$2` is
 * the smallest id of the cutoff's millisecond, so the primary key serves the range), each with the
 * size of its tree and whether nothing in it changed since the cutoff.
 */
const ROOTS = `
WITH RECURSIVE roots AS (
  SELECT id, tenant_id FROM trace_spans
  WHERE id > $1::uuid AND id < $2::uuid AND parent_id IS NULL
    AND status IN ('completed', 'failed', 'cancelled') AND completed_at < $3
  ORDER BY id
  LIMIT $4
), tree AS (
  SELECT r.id AS root, s.id, s.tenant_id, s.updated_at, 0 AS depth FROM roots r JOIN trace_spans s ON s.id = r.id
  UNION ALL
  SELECT t.root, c.id, c.tenant_id, c.updated_at, t.depth + 1
  FROM tree t JOIN trace_spans c ON c.tenant_id = t.tenant_id AND c.parent_id = t.id
  WHERE t.depth < ${MAX_DEPTH}
)
SELECT root::text AS root, count(*)::int AS spans, bool_and(updated_at < $3) AS idle FROM tree GROUP BY root ORDER BY root`;

/**
 * Deletes up to `$2` spans of the given trees, deepest first, so a tree is never left without its
 * root while parts of it remain (an interrupted run leaves a smaller tree, pruned next time). A span
 * changed since the cutoff (a late event) is kept.
 */
const DELETE_TREES = `
WITH RECURSIVE tree AS (
  SELECT id, tenant_id, 0 AS depth FROM trace_spans WHERE id = ANY($1::uuid[])
  UNION ALL
  SELECT c.id, c.tenant_id, t.depth + 1
  FROM tree t JOIN trace_spans c ON c.tenant_id = t.tenant_id AND c.parent_id = t.id
  WHERE t.depth < ${MAX_DEPTH}
), doomed AS (
  SELECT id FROM tree ORDER BY depth DESC LIMIT $2
), gone AS (
  DELETE FROM trace_spans s USING doomed WHERE s.id = doomed.id AND s.updated_at < $3 RETURNING 1
)
SELECT count(*)::int AS n FROM gone`;

interface Root {
  root: string;
  spans: number;
  idle: boolean;
}

/**
 * Trace spans, a whole trace at a time: a trace (a root span and all its descendants) goes once
 * its root has finished (completed, failed, cancelled) more than TRACE_RETENTION_DAYS ago and no
 * span in it has changed since then. A trace still running somewhere (a late step, a task) is
 * kept whole, so `GET /traces/{id}` never shows half a tree. Batches hold about
 * RETENTION_BATCH_SIZE spans; a tree larger than that is deleted in several statements, deepest
 * spans first. Spans are written only by the projection's upserts, which never wait on these
 * rows (they are finished and idle).
 */
@Injectable()
@RetentionJob({
  name: 'trace-spans',
  setting: 'TRACE_RETENTION_DAYS',
  unit: 'days',
  description: 'whole traces whose root finished longer ago than the setting and that have not changed since',
})
export class TraceSpansRetentionJob implements RetentionJobHandler {
  async prune(run: RetentionRun): Promise<RetentionResult> {
    const idBound = uuidV7Floor(run.cutoff);
    const rootsPerBatch = Math.max(1, Math.ceil(run.batchSize / 10));
    let after = '00000000-0000-0000-0000-000000000000';
    let total = 0;
    for (;;) {
      const roots = await run.db.query<Root>(ROOTS, [after, idBound, run.cutoff, rootsPerBatch]);
      if (roots.length === 0) break;
      const chosen: string[] = [];
      let rows = 0;
      let last = after;
      for (const r of roots) {
        if (r.idle) {
          if (chosen.length > 0 && rows + r.spans > run.batchSize) break;
          chosen.push(r.root);
          rows += r.spans;
        }
        last = r.root;
      }
      total += run.dryRun ? rows : await this.deleteTrees(run, chosen);
      after = last;
      const more = roots.length === rootsPerBatch || last !== roots[roots.length - 1].root;
      if (!more || !(await run.next())) break;
    }
    return { rows: { trace_spans: total } };
  }

  private async deleteTrees(run: RetentionRun, roots: string[]): Promise<number> {
    if (roots.length === 0) return 0;
    let total = 0;
    for (;;) {
      const [row] = await run.db.query<{ n: number }>(DELETE_TREES, [roots, run.batchSize, run.cutoff]);
      total += row.n;
      if (row.n < run.batchSize) return total;
    }
  }
}

/** The smallest UUIDv7 of the instant's millisecond: every id made before it is lower. */
export function uuidV7Floor(at: Date): string {
  const hex = Math.max(0, Math.floor(at.getTime())).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}
