/**
 * Retention soak: executions start at a steady rate for a long while, with a short retention window
 * for events, executions and traces; the tables' rows and sizes are sampled throughout. Once the
 * window has passed they must stay flat — what comes in goes out — instead of growing with every
 * execution. The engine is embedded as an application would (core, workflow, engine and trace
 * modules, workers on), in a fresh database `cognition_os_bench_retention`; the retention jobs run
 * as in production (the `retention` background loop), only with short settings.
 *
 *   npm run bench:retention
 *   BENCH_RETENTION_EXECUTIONS=50000 BENCH_RETENTION_RATE=200 BENCH_RETENTION_WINDOW_S=60 npm run bench:retention
 *   BENCH_RETENTION_TRACES=0 npm run bench:retention      # without the trace module
 *   BENCH_RETENTION_OFF=1 npm run bench:retention         # the same load without retention (baseline)
 *
 * With autovacuum off (this machine's PostgreSQL), deleted rows' space is only reused after VACUUM:
 * the bench then runs VACUUM on the four tables after each sample, as autovacuum would
 * (BENCH_RETENTION_VACUUM=0 skips it: the live rows stay flat, the files keep growing).
 *
 * Prints a markdown table and writes bench/results/retention-soak.json.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { formatMachine, machineInfo } from '../support/machine';
import { pgAdminConfig, recreateDatabase } from '../support/postgres';
import { markdownTable } from '../support/table';
import { migrateBenchDatabase } from '../support/engine-database';
import { nowMs, sleep } from '../engine/measure';
import { quickOr } from '../support/quick';

const ROOT = resolve(__dirname, '..', '..');
const DATABASE = 'cognition_os_bench_retention';
const TENANT = '00000000-0000-7000-8000-00000000a7e0';
const TABLES = ['workflow_executions', 'step_executions', 'domain_events', 'trace_spans'] as const;

function whole(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: bad value "${raw}"`);
  return n;
}

const settings = {
  executions: whole('BENCH_RETENTION_EXECUTIONS', quickOr(50_000, 6_000)),
  /** Executions started per second. */
  rate: whole('BENCH_RETENTION_RATE', 200),
  /** EVENT_, EXECUTION_ and TRACE_RETENTION_DAYS, in seconds. */
  windowSeconds: whole('BENCH_RETENTION_WINDOW_S', quickOr(60, 15)),
  intervalMs: whole('BENCH_RETENTION_INTERVAL_MS', 5000),
  sampleMs: whole('BENCH_RETENTION_SAMPLE_MS', 10_000),
  inFlight: whole('BENCH_RETENTION_IN_FLIGHT', 16),
  vacuum: process.env.BENCH_RETENTION_VACUUM as string | undefined,
  /** BENCH_RETENTION_TRACES=0: without the trace module (no trace-spans projection, whose checkpoint holds events back while it lags). */
  traces: process.env.BENCH_RETENTION_TRACES !== '0',
  /** BENCH_RETENTION_OFF=1: the same load with no retention at all (the baseline). */
  off: process.env.BENCH_RETENTION_OFF === '1',
};

const WORKFLOW = {
  id: 'soak',
  steps: [
    { id: 'a', type: 'transform', params: { output: { n: '${{ inputs.n }}', text: 'some output of a step' } } },
    { id: 'b', type: 'transform', dependsOn: ['a'], params: { output: '${{ steps.a.output.n * 2 }}' } },
  ],
};

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Sample {
  seconds: number;
  started: number;
  finished: number;
  rows: Record<(typeof TABLES)[number], number>;
  /** pg_total_relation_size of the four tables (heap, indexes, TOAST), MB. */
  sizeMb: number;
  pruned: Record<string, number>;
}

async function boot(): Promise<INestApplicationContext> {
  const days = String(settings.windowSeconds / 86_400);
  await recreateDatabase(DATABASE);
  await migrateBenchDatabase(pgAdminConfig(), DATABASE, {
    DB_POOL_SIZE: '24',
    WORKER_CONCURRENCY: '10',
    WORKER_ENABLED: 'true',
    SCHEDULER_ENABLED: 'false',
    AGENT_WORKER_ENABLED: 'false',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'silent',
    RETENTION_INTERVAL_MS: settings.off ? '0' : String(settings.intervalMs),
    EVENT_RETENTION_DAYS: days,
    EXECUTION_RETENTION_DAYS: days,
    TRACE_RETENTION_DAYS: days,
  });
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
  const { WorkflowModule } = await import('@cognition/workflow/workflow.module');
  const { EngineModule } = await import('@cognition/engine/engine.module');
  const { TraceModule } = await import('@cognition/trace/trace.module');
  @Module({ imports: [CognitionOsCoreModule.forRoot(), WorkflowModule, EngineModule, ...(settings.traces ? [TraceModule] : [])] })
  class SoakModule {}
  const app = await NestFactory.createApplicationContext(SoakModule, { logger: process.env.BENCH_LOG_LEVEL ? ['error', 'warn', 'log'] : false });
  await app.init();
  const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
  await app.get(ApiKeyService).createTenant('soak', TENANT);
  const { CommandBus } = await import('@nestjs/cqrs');
  const { CreateWorkflowCommand } = await import('@cognition/workflow/contracts');
  await app.get(CommandBus).execute(new CreateWorkflowCommand(TENANT, WORKFLOW.id, '1.0.0', { name: WORKFLOW.id, steps: WORKFLOW.steps } as never, 'active'));
  return app;
}

/** Rows pruned so far, by table, from the app's own metric. */
async function prunedSoFar(app: INestApplicationContext): Promise<Record<string, number>> {
  const { MetricsService } = await import('@cognition/platform/metrics/metrics.service');
  const metric = await app.get(MetricsService).registry.getSingleMetric('cognitionos_retention_pruned_rows_total')?.get();
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? []) out[String(v.labels.table)] = (out[String(v.labels.table)] ?? 0) + v.value;
  return out;
}

async function sample(app: INestApplicationContext, probe: Client, t0: number, started: number): Promise<Sample> {
  const rows = {} as Sample['rows'];
  for (const table of TABLES) rows[table] = Number((await probe.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const { rows: size } = await probe.query<{ bytes: string }>(`SELECT sum(pg_total_relation_size(t::regclass)) AS bytes FROM unnest($1::text[]) t`, [TABLES]);
  const pruned = await prunedSoFar(app);
  const { rows: done } = await probe.query<{ n: string }>(`SELECT count(*) AS n FROM workflow_executions WHERE status = 'completed'`);
  return {
    seconds: Math.round((nowMs() - t0) / 1000),
    started,
    finished: Number(done[0].n) + (pruned.workflow_executions ?? 0),
    rows,
    sizeMb: Number(size[0].bytes) / 1_048_576,
    pruned,
  };
}

async function main(): Promise<void> {
  const machine = await machineInfo();
  const app = await boot();
  const probe = new Client({ ...pgAdminConfig(DATABASE), application_name: 'bench-retention-probe' });
  await probe.connect();
  const autovacuum = (await probe.query(`SELECT current_setting('autovacuum') AS v`)).rows[0].v === 'on';
  const vacuum = settings.vacuum === undefined ? !autovacuum : settings.vacuum !== '0';
  log(
    `retention soak: ${settings.executions} executions at ${settings.rate}/s, retention window ${settings.windowSeconds} s, ` +
      `retention every ${settings.intervalMs} ms, ${vacuum ? 'VACUUM after each sample' : 'no VACUUM'} (autovacuum ${autovacuum ? 'on' : 'off'}), ${settings.traces ? 'with' : 'without'} traces`,
  );
  const { CommandBus } = await import('@nestjs/cqrs');
  const { StartExecutionCommand } = await import('@cognition/engine/contracts');
  const bus = app.get(CommandBus);
  const samples: Sample[] = [];
  let started = 0;
  let failures = 0;
  const t0 = nowMs();
  let nextSample = t0 + settings.sampleMs;
  const takeSample = async () => {
    const s = await sample(app, probe, t0, started);
    samples.push(s);
    log(`  ${s.seconds} s: started ${s.started}, finished ${s.finished}, rows ${TABLES.map((t) => `${t} ${s.rows[t]}`).join(', ')}, ${s.sizeMb.toFixed(1)} MB`);
    if (vacuum) await probe.query(`VACUUM ${TABLES.join(', ')}`);
  };
  try {
    // Submission at the target rate, a few starts in flight at a time.
    const inFlight = new Set<Promise<void>>();
    while (started < settings.executions) {
      const due = Math.min(settings.executions, Math.floor(((nowMs() - t0) / 1000) * settings.rate));
      while (started < due && inFlight.size < settings.inFlight) {
        const n = started++;
        const p: Promise<void> = bus
          .execute(new StartExecutionCommand(TENANT, WORKFLOW.id, '1.0.0', { n }))
          .then(() => undefined)
          .catch(() => void failures++)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (nowMs() >= nextSample) {
        nextSample += settings.sampleMs;
        await takeSample();
      }
      await (inFlight.size >= settings.inFlight ? Promise.race(inFlight) : sleep(5));
    }
    await Promise.all(inFlight);
    const submittedAt = nowMs();
    // Then until everything has finished and the window (and a retention run or two) has passed.
    for (;;) {
      await sleep(Math.max(0, nextSample - nowMs()));
      nextSample += settings.sampleMs;
      await takeSample();
      const last = samples[samples.length - 1];
      if (last.finished >= settings.executions - failures && nowMs() - submittedAt > settings.windowSeconds * 1000 + 3 * settings.intervalMs) break;
    }
  } finally {
    await probe.end().catch(() => undefined);
    await app.close().catch(() => undefined);
  }

  // Steady state: after the window (plus a retention interval) and while executions still came in.
  const submitEnd = samples.findIndex((s) => s.started >= settings.executions);
  const steady = samples.filter((s, i) => s.seconds * 1000 >= settings.windowSeconds * 1000 + 2 * settings.intervalMs && (submitEnd < 0 || i <= submitEnd));
  const range = (pick: (s: Sample) => number) => (steady.length ? [Math.min(...steady.map(pick)), Math.max(...steady.map(pick))] : [NaN, NaN]);
  const stepsRange = range((s) => s.rows.step_executions);
  const sizeRange = range((s) => s.sizeMb);
  const final = samples[samples.length - 1];
  const table = markdownTable(
    ['s', 'started', 'finished', 'executions', 'steps', 'events', 'spans', 'MB (4 tables)'],
    samples.map((s) => [s.seconds, s.started, s.finished, s.rows.workflow_executions, s.rows.step_executions, s.rows.domain_events, s.rows.trace_spans, s.sizeMb.toFixed(1)]),
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const summary = [
    `- ${settings.executions.toLocaleString('en-US')} executions (2 steps each) started at ${settings.rate}/s; ${failures} starts failed; retention window ${settings.windowSeconds} s, runs every ${settings.intervalMs / 1000} s`,
    `- steady state (from ${settings.windowSeconds + (2 * settings.intervalMs) / 1000} s until the last start, ${steady.length} samples): steps ${stepsRange[0]}–${stepsRange[1]} rows, ${sizeRange[0].toFixed(1)}–${sizeRange[1].toFixed(1)} MB`,
    `- without retention the four tables would hold ${(final.started * 3).toLocaleString('en-US')} execution and step rows and every event and span; pruned: ${Object.entries(final.pruned)
      .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
      .join(', ')}`,
    `- ${vacuum ? 'VACUUM of the four tables after each sample (autovacuum is off here)' : 'no VACUUM'}; ${settings.traces ? 'with' : 'without'} the trace module${settings.off ? '; RETENTION OFF (baseline)' : ''}`,
  ].join('\n');
  process.stdout.write(`\n${table}\n\n${summary}\n\nMachine:\n${formatMachine(machine)}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'retention-soak.json'), JSON.stringify({ at: new Date().toISOString(), machine, settings: { ...settings, vacuum }, samples }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    log(`bench:retention failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
