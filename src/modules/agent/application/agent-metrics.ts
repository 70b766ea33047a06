import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';

/** Agent metrics: model calls (latency, tokens, cost), tool calls, runs by outcome, agents by status. */
@Injectable()
export class AgentMetrics {
  readonly modelCallDuration: Histogram<'provider' | 'model' | 'outcome'>;
  readonly tokens: Counter<'provider' | 'model' | 'direction'>;
  readonly costUsd: Counter<'provider' | 'model'>;
  readonly toolCalls: Counter<'tool' | 'outcome'>;
  readonly runs: Counter<'outcome'>;

  constructor(metrics: MetricsService, @InjectDataSource() db: DataSource) {
    const registers = [metrics.registry];
    this.modelCallDuration = new Histogram({
      name: 'cognitionos_model_call_duration_seconds',
      help: 'Model calls by provider, model and outcome (ok, error, refused by budget)',
      labelNames: ['provider', 'model', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.tokens = new Counter({ name: 'cognitionos_model_tokens_total', help: 'Tokens recorded in the usage ledger', labelNames: ['provider', 'model', 'direction'], registers });
    this.costUsd = new Counter({ name: 'cognitionos_model_cost_usd_total', help: 'Cost recorded in the usage ledger (price table)', labelNames: ['provider', 'model'], registers });
    this.toolCalls = new Counter({ name: 'cognitionos_tool_calls_total', help: 'Tool calls by tool and outcome (ok, failed)', labelNames: ['tool', 'outcome'], registers });
    this.runs = new Counter({ name: 'cognitionos_agent_runs_total', help: 'Agent run attempts by outcome (completed, failed, abandoned)', labelNames: ['outcome'], registers });
    new Gauge({
      name: 'cognitionos_agents',
      help: 'Agents by status (terminated ones not counted)',
      labelNames: ['status'],
      registers,
      async collect(this: Gauge<'status'>) {
        this.reset();
        const rows: { status: string; n: string }[] = await db.query(`SELECT status, count(*) AS n FROM agents WHERE status <> 'terminated' GROUP BY status`);
        for (const row of rows) this.set({ status: row.status }, Number(row.n));
      },
    });
  }
}
