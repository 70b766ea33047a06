import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FastHistogram } from './fast-histogram';

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The process's Prometheus registry and the metrics every module shares. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Observed on every request, so a FastHistogram (no label hashing per observation). */
  readonly httpDuration = new FastHistogram(
    'cognitionos_http_request_duration_seconds',
    'HTTP request duration by method, route and status',
    ['method', 'route', 'status'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    this.registry,
  );

  readonly repositoryDuration = new FastHistogram(
    'cognitionos_repository_operation_duration_seconds',
    'Repository operation duration by repository and method',
    ['repository', 'method'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    this.registry,
  );

  readonly eventsPublished = new Counter({
    name: 'cognitionos_domain_events_published_total',
    help: 'Domain events published by the outbox relay, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  private poolSource?: () => PoolStats | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cognitionos_' });
    const poolGauge = (name: string, help: string, pick: (p: PoolStats) => number) => {
      const source = () => this.poolSource?.();
      return new Gauge({
        name,
        help,
        registers: [this.registry],
        collect(this: Gauge) {
          const pool = source();
          if (pool) this.set(pick(pool));
        },
      });
    };
    poolGauge('cognitionos_db_pool_total_clients', 'Database pool: open clients', (p) => p.totalCount);
    poolGauge('cognitionos_db_pool_idle_clients', 'Database pool: idle clients', (p) => p.idleCount);
    poolGauge('cognitionos_db_pool_waiting_clients', 'Database pool: requests waiting for a client', (p) => p.waitingCount);
  }

  watchPool(source: () => PoolStats | undefined): void {
    this.poolSource = source;
  }
}
