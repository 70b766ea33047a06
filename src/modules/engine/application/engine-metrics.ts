import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';

/** Engine metrics: queue depth, claim-to-start latency, step durations, executions by outcome. */
@Injectable()
export class EngineMetrics {
  readonly claimToStart: Histogram;
  readonly stepDuration: Histogram<'type' | 'outcome'>;
  readonly executions: Counter<'outcome'>;

  constructor(metrics: MetricsService, @InjectDataSource() db: DataSource) {
    const registers = [metrics.registry];
    this.claimToStart = new Histogram({
      name: 'cognitionos_step_claim_to_start_seconds',
      help: 'Time from a step becoming runnable to its handler starting',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'cognitionos_step_duration_seconds',
      help: 'Step attempt duration by step type and outcome',
      labelNames: ['type', 'outcome'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
    this.executions = new Counter({
      name: 'cognitionos_executions_finished_total',
      help: 'Executions finished, by outcome (completed, failed), counted by the worker that finished them',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'cognitionos_steps',
      help: 'Step executions by queue state: runnable (due now), waiting (timer, signal, child, items)',
      labelNames: ['state'],
      registers,
      async collect(this: Gauge<'state'>) {
        const [row] = await db.query(
          `SELECT count(*) FILTER (WHERE status = 'pending' AND available_at <= now()) AS runnable,
                  count(*) FILTER (WHERE status = 'waiting') AS waiting
           FROM step_executions WHERE status IN ('pending', 'waiting') AND deps_remaining = 0`,
        );
        this.set({ state: 'runnable' }, Number(row.runnable));
        this.set({ state: 'waiting' }, Number(row.waiting));
      },
    });
  }
}
