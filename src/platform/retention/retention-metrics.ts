import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';

/**
 * What retention pruned (real runs only; dry runs change nothing):
 * - cognitionos_retention_pruned_rows_total{job, table}: rows deleted (the usage ledger's: rolled up, then deleted);
 * - cognitionos_retention_last_run_timestamp_seconds{job}: when the job last finished a run;
 * - cognitionos_retention_job_errors_total{job}: runs of the job that failed (the other jobs still run).
 */
@Injectable()
export class RetentionMetrics {
  readonly pruned: Counter<'job' | 'table'>;
  readonly lastRun: Gauge<'job'>;
  readonly errors: Counter<'job'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.pruned = new Counter({ name: 'cognitionos_retention_pruned_rows_total', help: 'Rows deleted by each retention job, by table', labelNames: ['job', 'table'], registers });
    this.lastRun = new Gauge({ name: 'cognitionos_retention_last_run_timestamp_seconds', help: 'When each retention job last finished a run (unix seconds)', labelNames: ['job'], registers });
    this.errors = new Counter({ name: 'cognitionos_retention_job_errors_total', help: 'Failed runs of each retention job', labelNames: ['job'], registers });
  }
}
