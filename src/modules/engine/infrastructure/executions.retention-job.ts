import { Injectable } from '@nestjs/common';
import { RetentionDb, RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from '@cognition/platform/retention/retention-job';

const FINISHED = `('completed', 'failed', 'cancelled')`;

/**
 * The next finished executions past the cursor, oldest first (index idx_executions_finished), with
 * their step counts. A child whose parent has not finished is kept (its parent step still waits for
 * it). The real run locks them (SKIP LOCKED: one being retried or cancelled right now is left for
 * the next run) and re-checks the status on the locked row.
 */
const PICK = `
SELECT e.id, e.completed_at::text AS completed_at, (SELECT count(*) FROM step_executions s WHERE s.execution_id = e.id)::int AS steps
FROM workflow_executions e
WHERE e.status IN ${FINISHED} AND e.completed_at < $1
  AND (e.completed_at, e.id) > ($2::timestamptz, $3::uuid)
  AND (e.parent_execution_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM workflow_executions p WHERE p.id = e.parent_execution_id AND p.status NOT IN ${FINISHED}))
ORDER BY e.completed_at, e.id
LIMIT $4`;

interface Picked {
  id: string;
  completed_at: string;
  steps: number;
}

interface Counts {
  workflow_executions: number;
  step_executions: number;
  execution_signals: number;
  concurrency_slots: number;
  schedule_ticks: number;
}

/**
 * Finished executions (completed, failed, cancelled) whose `completed_at` is older than
 * EXECUTION_RETENTION_DAYS, with everything hanging off them: their steps, signals and any
 * concurrency slot still naming one of their steps. Running, pending and waiting executions are
 * never touched, nor a child execution whose parent has not finished.
 *
 * Each batch is one short transaction: lock the next executions (as many as keep the batch near
 * RETENTION_BATCH_SIZE rows: one execution with many forEach items makes a batch of its own, its
 * steps deleted RETENTION_BATCH_SIZE per statement), delete their rows, then the executions. A retry
 * or cancel of one of them waits for that transaction or finds it gone (404); the engine's hot path
 * never touches finished rows. Also drops schedule ticks older than the setting that are not the
 * latest of their workflow (the scheduler only ever compares with the latest).
 */
@Injectable()
@RetentionJob({
  name: 'executions',
  setting: 'EXECUTION_RETENTION_DAYS',
  unit: 'days',
  description: 'finished executions (with their steps, signals, slots) that ended longer ago than the setting; a child of an unfinished parent is kept',
})
export class ExecutionsRetentionJob implements RetentionJobHandler {
  async prune(run: RetentionRun): Promise<RetentionResult> {
    const counts: Counts = { workflow_executions: 0, step_executions: 0, execution_signals: 0, concurrency_slots: 0, schedule_ticks: 0 };
    let after = { completedAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
    for (;;) {
      const batch = await (run.dryRun ? this.batch(run, run.db, after, counts) : run.db.transaction((tx) => this.batch(run, tx, after, counts)));
      if (!batch) break;
      after = batch.after;
      if (!batch.more || !(await run.next())) break;
    }
    counts.schedule_ticks = await this.pruneTicks(run);
    return { rows: { ...counts } };
  }

  private async batch(run: RetentionRun, db: RetentionDb, after: { completedAt: string; id: string }, counts: Counts) {
    const picked = await db.query<Picked>(`${PICK}${run.dryRun ? '' : ' FOR UPDATE OF e SKIP LOCKED'}`, [run.cutoff, after.completedAt, after.id, run.batchSize]);
    if (picked.length === 0) return null;
    // As many executions as keep the batch's rows near the batch size (at least one).
    const chosen: Picked[] = [];
    let rows = 0;
    for (const p of picked) {
      if (chosen.length > 0 && rows + 1 + p.steps > run.batchSize) break;
      chosen.push(p);
      rows += 1 + p.steps;
    }
    const ids = chosen.map((p) => p.id);
    const last = chosen[chosen.length - 1];
    counts.concurrency_slots += await countOrDelete(db, run.dryRun, 'concurrency_slots', `step_execution_id IN (SELECT id FROM step_executions WHERE execution_id = ANY($1::uuid[]))`, [ids]);
    counts.execution_signals += await countOrDelete(db, run.dryRun, 'execution_signals', `execution_id = ANY($1::uuid[])`, [ids]);
    counts.step_executions += await this.steps(run, db, ids);
    counts.workflow_executions += await countOrDelete(db, run.dryRun, 'workflow_executions', `id = ANY($1::uuid[])`, [ids]);
    return { after: { completedAt: last.completed_at, id: last.id }, more: picked.length === run.batchSize || chosen.length < picked.length };
  }

  /** The executions' steps, RETENTION_BATCH_SIZE per statement. */
  private async steps(run: RetentionRun, db: RetentionDb, ids: string[]): Promise<number> {
    if (run.dryRun) return countOrDelete(db, true, 'step_executions', `execution_id = ANY($1::uuid[])`, [ids]);
    let total = 0;
    for (;;) {
      const [row] = await db.query<{ n: number }>(
        `WITH gone AS (DELETE FROM step_executions WHERE ctid = ANY(ARRAY(SELECT ctid FROM step_executions WHERE execution_id = ANY($1::uuid[]) LIMIT $2)) RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [ids, run.batchSize],
      );
      total += row.n;
      if (row.n < run.batchSize) return total;
    }
  }

  /** Schedule ticks before the cutoff that have a later tick of the same workflow. */
  private async pruneTicks(run: RetentionRun): Promise<number> {
    const where = `tick_at < $1 AND EXISTS (SELECT 1 FROM schedule_ticks n WHERE n.tenant_id = t.tenant_id AND n.workflow_id = t.workflow_id AND n.tick_at > t.tick_at)`;
    if (run.dryRun) {
      const [row] = await run.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM schedule_ticks t WHERE ${where}`, [run.cutoff]);
      return row.n;
    }
    let total = 0;
    for (;;) {
      const [row] = await run.db.query<{ n: number }>(
        `WITH gone AS (DELETE FROM schedule_ticks WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM schedule_ticks t WHERE ${where} LIMIT $2 FOR UPDATE SKIP LOCKED)) RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [run.cutoff, run.batchSize],
      );
      total += row.n;
      if (row.n < run.batchSize || !(await run.next())) return total;
    }
  }
}

async function countOrDelete(db: RetentionDb, dryRun: boolean, table: string, where: string, params: unknown[]): Promise<number> {
  const sql = dryRun ? `SELECT count(*)::int AS n FROM ${table} WHERE ${where}` : `WITH gone AS (DELETE FROM ${table} WHERE ${where} RETURNING 1) SELECT count(*)::int AS n FROM gone`;
  const [row] = await db.query<{ n: number }>(sql, params);
  return row.n;
}
