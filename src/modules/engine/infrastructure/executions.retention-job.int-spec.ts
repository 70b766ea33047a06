import { Client } from 'pg';
import { newId } from '@cognition/platform/ids/uuid';
import { TEST_DB } from '@cognition/test-support/test-database';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { ExecutionsRetentionJob } from './executions.retention-job';

const TENANT = newId();

interface Arranged {
  id: string;
  steps: string[];
}

describe('executions retention (real PostgreSQL)', () => {
  let h: RetentionHarness;
  beforeAll(async () => {
    // Batches of 10 rows: the 25-step execution below is a batch of its own, its steps deleted in three statements.
    h = await retentionHarness('retention_executions', [ExecutionsRetentionJob], { EXECUTION_RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '10' });
  });
  afterAll(() => h?.close());

  /** An execution with `steps` steps (and a signal, a held slot when asked), finished `daysAgo` days ago (null: not finished). */
  async function execution(status: string, daysAgo: number | null, options: { steps?: number; parent?: string; signal?: boolean; slot?: boolean } = {}): Promise<Arranged> {
    const id = newId();
    await h.pg.query(
      `INSERT INTO workflow_executions (id, tenant_id, workflow_id, workflow_version, status, triggered_by, remaining_steps, parent_execution_id, started_at, completed_at, created_at)
       VALUES ($1, $2, 'wf', '1.0.0', $3, 'api', 0, $4, now() - interval '400 days',
               CASE WHEN $5::int IS NULL THEN NULL ELSE now() - make_interval(days => $5::int) END, now() - interval '400 days')`,
      [id, TENANT, status, options.parent ?? null, daysAgo],
    );
    const steps: string[] = [];
    for (let i = 0; i < (options.steps ?? 1); i++) {
      const stepId = newId();
      steps.push(stepId);
      await h.pg.query(`INSERT INTO step_executions (id, execution_id, tenant_id, step_id, item_index, type, status) VALUES ($1, $2, $3, 's', $4, 'transform', 'completed')`, [
        stepId,
        id,
        TENANT,
        i,
      ]);
    }
    if (options.signal) await h.pg.query(`INSERT INTO execution_signals (id, execution_id, tenant_id, name) VALUES ($1, $2, $3, 'go')`, [newId(), id, TENANT]);
    if (options.slot) await h.pg.query(`INSERT INTO concurrency_slots (tenant_id, key, step_execution_id) VALUES ($1, $2, $3)`, [TENANT, `key-${id}`, steps[0]]);
    return { id, steps };
  }

  const tick = (workflowId: string, daysAgo: number) =>
    h.pg.query(`INSERT INTO schedule_ticks (tenant_id, workflow_id, tick_at, workflow_version) VALUES ($1, $2, date_trunc('minute', now()) - make_interval(days => $3), '1.0.0')`, [
      TENANT,
      workflowId,
      daysAgo,
    ]);
  const executionsLeft = async () => (await h.pg.query(`SELECT id FROM workflow_executions ORDER BY id`)).rows.map((r) => r.id as string);

  it('deletes finished executions older than the setting with their steps, signals and slots; keeps running ones, recent ones and children of unfinished parents; a dry run counts the same', async () => {
    const completedOld = await execution('completed', 40, { steps: 3, signal: true, slot: true });
    const failedOld = await execution('failed', 31);
    const cancelledOld = await execution('cancelled', 35, { signal: true });
    const big = await execution('completed', 45, { steps: 25 });
    const recent = await execution('completed', 10, { slot: true });
    const running = await execution('running', null, { steps: 2, signal: true });
    const childOfRunning = await execution('completed', 40, { parent: running.id });
    const finishedParent = await execution('completed', 40);
    const childOfFinished = await execution('completed', 40, { parent: finishedParent.id });
    // Ticks of wf-a: the two old ones go (a later one exists); wf-b's only tick stays, however old (the scheduler compares with it).
    await tick('wf-a', 40);
    await tick('wf-a', 35);
    await tick('wf-a', 1);
    await tick('wf-b', 50);

    const expected = { workflow_executions: 6, step_executions: 3 + 1 + 1 + 25 + 1 + 1, execution_signals: 2, concurrency_slots: 1, schedule_ticks: 2 };
    const dry = await h.runner.run({ dryRun: true, jobs: ['executions'] });
    expect(dry!.jobs[0]).toMatchObject({ job: 'executions', status: 'done', rows: expected });
    expect(await h.count('workflow_executions')).toBe(9);
    expect(await h.count('step_executions')).toBe(36);
    expect(await h.count('schedule_ticks')).toBe(4);

    const real = await h.runner.run({ jobs: ['executions'] });
    expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: expected });
    expect(await executionsLeft()).toEqual([recent.id, running.id, childOfRunning.id].sort());
    expect(await h.count('step_executions')).toBe(1 + 2 + 1);
    expect(await h.count('step_executions', 'execution_id = ANY($1)', [[completedOld.id, failedOld.id, cancelledOld.id, big.id, finishedParent.id, childOfFinished.id]])).toBe(0);
    expect((await h.pg.query(`SELECT execution_id FROM execution_signals`)).rows).toEqual([{ execution_id: running.id }]);
    expect((await h.pg.query(`SELECT step_execution_id FROM concurrency_slots`)).rows).toEqual([{ step_execution_id: recent.steps[0] }]);
    expect((await h.pg.query(`SELECT workflow_id, (now() - tick_at) < interval '2 days' AS recent FROM schedule_ticks ORDER BY workflow_id`)).rows).toEqual([
      { workflow_id: 'wf-a', recent: true },
      { workflow_id: 'wf-b', recent: false },
    ]);

    // Once its parent has finished (long enough ago), the child goes too.
    await h.pg.query(`UPDATE workflow_executions SET status = 'failed', completed_at = now() - interval '31 days' WHERE id = $1`, [running.id]);
    const again = await h.runner.run({ jobs: ['executions'] });
    expect(again!.jobs[0].rows).toMatchObject({ workflow_executions: 2, step_executions: 3, execution_signals: 1 });
    expect(await executionsLeft()).toEqual([recent.id]);
  });

  it('leaves an execution locked by someone else (a retry in progress) for the next run', async () => {
    const old = await execution('failed', 60);
    const other = new Client({ ...TEST_DB, database: h.db.name });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM workflow_executions WHERE id = $1 FOR UPDATE`, [old.id]);
      const report = await h.runner.run({ jobs: ['executions'] });
      expect(report!.jobs[0]).toMatchObject({ status: 'done', rows: { workflow_executions: 0 } });
      await other.query('ROLLBACK');
      expect((await h.runner.run({ jobs: ['executions'] }))!.jobs[0].rows).toMatchObject({ workflow_executions: 1, step_executions: 1 });
    } finally {
      await other.end();
    }
  });
});
