import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { TEST_DB } from '@cognition/test-support/test-database';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from './retention-job';
import { RetentionMetrics } from './retention-metrics';
import { RETENTION_LOCK } from './retention-session';

/** Prunes (or counts) rows of a scratch table in batches, recording what it was given. */
@Injectable()
@RetentionJob({ name: 'scratch', setting: 'EVENT_RETENTION_DAYS', unit: 'days', description: 'scratch rows' })
class ScratchJob implements RetentionJobHandler {
  /** Called after each batch. */
  onBatch = () => {};
  async prune(run: RetentionRun): Promise<RetentionResult> {
    let n = 0;
    for (;;) {
      const rows = run.dryRun
        ? await run.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM scratch WHERE at < $1 LIMIT $2) s`, [run.cutoff, run.batchSize])
        : await run.db.query<{ n: number }>(
            `WITH gone AS (DELETE FROM scratch WHERE id IN (SELECT id FROM scratch WHERE at < $1 ORDER BY id LIMIT $2) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
            [run.cutoff, run.batchSize],
          );
      n += rows[0].n;
      this.onBatch();
      if (run.dryRun || rows[0].n < run.batchSize || !(await run.next())) return { rows: { scratch: n } };
    }
  }
}

@Injectable()
@RetentionJob({ name: 'broken', setting: 'EXECUTION_RETENTION_DAYS', unit: 'days', description: 'always fails' })
class BrokenJob implements RetentionJobHandler {
  async prune(run: RetentionRun): Promise<RetentionResult> {
    await run.db.query(`SELECT * FROM no_such_table`);
    return { rows: {} };
  }
}

@Injectable()
@RetentionJob({ name: 'kept-forever', setting: 'TRACE_RETENTION_DAYS', unit: 'days', description: 'its setting is 0' })
class KeptForeverJob implements RetentionJobHandler {
  called = false;
  async prune(): Promise<RetentionResult> {
    this.called = true;
    return { rows: {} };
  }
}

describe('RetentionRunner (real PostgreSQL)', () => {
  let h: RetentionHarness;
  let metrics: MetricsService;
  beforeAll(async () => {
    metrics = new MetricsService();
    h = await retentionHarness('retention_runner', [ScratchJob, BrokenJob, KeptForeverJob, { provide: MetricsService, useValue: metrics }, RetentionMetrics], {
      EVENT_RETENTION_DAYS: '10',
      EXECUTION_RETENTION_DAYS: '10',
      TRACE_RETENTION_DAYS: '0',
      RETENTION_BATCH_SIZE: '10',
    });
    await h.pg.query(`CREATE TABLE scratch (id serial PRIMARY KEY, at timestamptz NOT NULL)`);
  });
  afterAll(() => h?.close());

  const fill = (old: number, young: number) =>
    h.pg.query(`INSERT INTO scratch (at) SELECT now() - interval '11 days' FROM generate_series(1, $1) UNION ALL SELECT now() - interval '9 days' FROM generate_series(1, $2)`, [old, young]);
  const metric = async (name: string) => (await metrics.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#'));

  it('runs every job: a failing one is reported and the next still runs; a setting of 0 skips its job; cutoffs come from the database clock', async () => {
    await fill(25, 5);
    const report = await h.runner.run();
    expect(report!.dryRun).toBe(false);
    expect(report!.jobs.map((j) => [j.job, j.status])).toEqual([
      ['broken', 'failed'],
      ['kept-forever', 'skipped'],
      ['scratch', 'done'],
    ]);
    expect(report!.jobs[0].error).toMatch(/no_such_table/);
    expect(report!.jobs[1]).toMatchObject({ setting: 'TRACE_RETENTION_DAYS=0', note: 'TRACE_RETENTION_DAYS=0 keeps everything' });
    expect(h.runner['all']().find((j: { options: { name: string } }) => j.options.name === 'kept-forever')!.handler).toHaveProperty('called', false);
    expect(report!.jobs[2]).toMatchObject({ rows: { scratch: 25 }, total: 25 });
    expect(new Date(report!.startedAt).getTime() - new Date(report!.jobs[2].cutoff!).getTime()).toBe(10 * 86_400_000);
    expect(await h.count('scratch')).toBe(5);
    expect(await metric('cognitionos_retention_pruned_rows_total')).toEqual(['cognitionos_retention_pruned_rows_total{job="scratch",table="scratch"} 25']);
    expect(await metric('cognitionos_retention_job_errors_total')).toEqual(['cognitionos_retention_job_errors_total{job="broken"} 1']);
    // Only jobs that ran to the end: not the failed one, not the skipped one.
    expect((await metric('cognitionos_retention_last_run_timestamp_seconds')).map((l) => l.split(' ')[0])).toEqual(['cognitionos_retention_last_run_timestamp_seconds{job="scratch"}']);
  });

  it('a dry run deletes nothing, counts the same, and leaves the metrics alone', async () => {
    await h.pg.query(`TRUNCATE scratch`);
    await fill(7, 3);
    const before = await metric('cognitionos_retention_pruned_rows_total');
    const dry = await h.runner.run({ dryRun: true, jobs: ['scratch'] });
    expect(dry).toMatchObject({ dryRun: true, jobs: [{ job: 'scratch', status: 'done', rows: { scratch: 7 } }] });
    expect(await h.count('scratch')).toBe(10);
    expect(await metric('cognitionos_retention_pruned_rows_total')).toEqual(before);
  });

  it('one run at a time: while another session holds the lock a real run does nothing (null); a dry run still counts', async () => {
    const other = new Client({ ...TEST_DB, database: h.db.name });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext($1))`, [RETENTION_LOCK]);
      expect(await h.runner.run({ jobs: ['scratch'] })).toBeNull();
      expect(await h.count('scratch')).toBe(10);
      expect((await h.runner.run({ dryRun: true, jobs: ['scratch'] }))!.jobs[0].rows).toEqual({ scratch: 7 });
      await other.query(`SELECT pg_advisory_unlock(hashtext($1))`, [RETENTION_LOCK]);
      expect((await h.runner.run({ jobs: ['scratch'] }))!.jobs[0].rows).toEqual({ scratch: 7 });
    } finally {
      await other.end();
    }
  });

  it('stops after the batch in progress when the process shuts down', async () => {
    await h.pg.query(`TRUNCATE scratch`);
    await fill(35, 0);
    const stopping = new AbortController();
    const scratch = h.runner['all']().find((j: { options: { name: string } }) => j.options.name === 'scratch')!.handler as ScratchJob;
    scratch.onBatch = () => stopping.abort();
    try {
      const report = await h.runner.run({ jobs: ['scratch'], signal: stopping.signal });
      // The batch in progress (10 rows) completes; the rest is left for the next run.
      expect(report!.jobs[0]).toMatchObject({ status: 'stopped', rows: { scratch: 10 } });
      expect(await h.count('scratch')).toBe(25);
    } finally {
      scratch.onBatch = () => {};
    }
  });

  it('refuses an unknown job, naming the jobs', async () => {
    await expect(h.runner.run({ jobs: ['nope'] })).rejects.toThrow('unknown retention job "nope"; the jobs are: broken, kept-forever, scratch');
  });
});
