import { Injectable } from '@nestjs/common';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { until } from '@cognition/test-support/wait';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from './retention-job';
import { RetentionLoop } from './retention-loop';
import { RetentionMetrics } from './retention-metrics';

@Injectable()
@RetentionJob({ name: 'old-rows', setting: 'EVENT_RETENTION_DAYS', unit: 'days', description: 'old rows of a scratch table' })
class OldRowsJob implements RetentionJobHandler {
  async prune(run: RetentionRun): Promise<RetentionResult> {
    if (run.dryRun) return { rows: {} };
    const [row] = await run.db.query<{ n: number }>(`WITH gone AS (DELETE FROM old_rows WHERE at < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [run.cutoff]);
    return { rows: { old_rows: row.n } };
  }
}

const PROVIDERS = [OldRowsJob, MetricsService, BackgroundJobs, RetentionMetrics, RetentionLoop];

describe('the retention background loop (real PostgreSQL)', () => {
  describe('in a process with workers', () => {
    let h: RetentionHarness;
    beforeAll(async () => {
      h = await retentionHarness('retention_loop', PROVIDERS, { WORKER_ENABLED: 'true', RETENTION_INTERVAL_MS: '100', EVENT_RETENTION_DAYS: '1' });
    });
    afterAll(() => h?.close());

    it('prunes on its own, every interval, and counts what it pruned', async () => {
      await h.pg.query(`CREATE TABLE old_rows (at timestamptz NOT NULL)`);
      await h.pg.query(`INSERT INTO old_rows SELECT now() - interval '2 days' FROM generate_series(1, 5) UNION ALL SELECT now()`);
      await until(() => h.count('old_rows'), (n) => n === 1, 'old rows pruned by the loop');
      await h.pg.query(`INSERT INTO old_rows SELECT now() - interval '3 days' FROM generate_series(1, 2)`);
      await until(() => h.count('old_rows'), (n) => n === 1, 'old rows pruned again');
      const metrics = h.moduleRef.get(MetricsService);
      // The pass counts its rows after its DELETE commits: the rows can be gone a moment before the counter moves.
      const pruned = 'cognitionos_retention_pruned_rows_total{job="old-rows",table="old_rows"} 7';
      const text = await until(() => metrics.registry.metrics(), (t) => t.includes(pruned), 'pruned rows counted');
      expect(text).toContain(pruned);
      expect(text).toMatch(/cognitionos_background_loop_runs_total\{loop="retention"\} \d+/);
    });
  });

  describe.each([
    ['without workers', { WORKER_ENABLED: 'false', RETENTION_INTERVAL_MS: '100' }],
    ['with RETENTION_INTERVAL_MS=0', { WORKER_ENABLED: 'true', RETENTION_INTERVAL_MS: '0' }],
  ])('in a process %s', (_, env) => {
    let h: RetentionHarness;
    beforeAll(async () => {
      h = await retentionHarness('retention_no_loop', PROVIDERS, env);
    });
    afterAll(() => h?.close());

    it('does not start the loop', () => {
      expect(h.moduleRef.get(BackgroundJobs)['loops'].size).toBe(0);
    });
  });
});
