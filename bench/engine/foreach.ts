/**
 * forEach benchmark: how the time of one forEach step grows with its number of items. One
 * execution per run, in a fresh database `cognition_os_bench_foreach`, with the engine embedded
 * as an application would (core, workflow and engine modules, workers on).
 *
 * Two workflows, each a forEach of `transform` items followed by a join step that reads the list:
 *   - `inputs`: `forEach: inputs.items` (the list comes with the execution's inputs);
 *   - `step`:   a step produces the list (`${{ inputs.items }}`), `forEach: steps.gen.output`;
 *   - `literal`: the list is a literal in the definition (one version per size), the inputs are
 *     empty: what the engine's forEach path costs when nothing else carries the list (each claimed
 *     step also carries its execution's inputs, so with `inputs` and `step` the list is read again
 *     with every item that runs).
 * Timed: StartExecutionCommand → the execution durably completed (polled every 20 ms), every item
 * checked to have run exactly once. Runs go in rounds with the sizes interleaved, each from
 * vacuumed tables (see main). Linear time means ms/item stays flat: 10,000 items must take at
 * most 12× the time of 1,000 (the ratio column).
 *
 *   npm run bench:foreach
 *   BENCH_FOREACH_SIZES=1000,10000 BENCH_FOREACH_RUNS=3 BENCH_CONCURRENCY=10 npm run bench:foreach
 *
 * Prints a markdown table and writes bench/results/foreach.json.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { formatMachine, machineInfo } from '../support/machine';
import { pgAdminConfig, recreateDatabase } from '../support/postgres';
import { markdownTable } from '../support/table';
import { median, nowMs, sleep } from './measure';
import { migrateBenchDatabase } from '../support/engine-database';
import { quickOr } from '../support/quick';

const ROOT = resolve(__dirname, '..', '..');
const DATABASE = 'cognition_os_bench_foreach';
const TENANT = '00000000-0000-7000-8000-0000000fe4c1';

function numbers(name: string, fallback: string): number[] {
  return (process.env[name] || fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: bad value "${s}"`);
    return n;
  });
}

const settings = {
  sizes: numbers('BENCH_FOREACH_SIZES', quickOr('100,1000,5000,10000', '1000,10000')),
  runs: numbers('BENCH_FOREACH_RUNS', quickOr('3', '1'))[0],
  concurrency: numbers('BENCH_CONCURRENCY', '10')[0],
  /** BENCH_FOREACH_VACUUM=0: no VACUUM before each run (the dead rows of earlier runs stay until autovacuum). */
  vacuum: process.env.BENCH_FOREACH_VACUUM !== '0',
  sources: (process.env.BENCH_FOREACH_SOURCES || 'inputs,step,literal').split(',').map((s) => s.trim()) as Source[],
};

type Source = 'inputs' | 'step' | 'literal';

const WORKFLOWS: Record<Exclude<Source, 'literal'>, { id: string; steps: unknown[] }> = {
  inputs: {
    id: 'foreach-inputs',
    steps: [
      { id: 'each', type: 'transform', forEach: 'inputs.items', params: { output: '${{ item * 2 }}' } },
      { id: 'join', type: 'transform', dependsOn: ['each'], params: { output: '${{ size(steps.each.output) }}' } },
    ],
  },
  step: {
    id: 'foreach-step',
    steps: [
      { id: 'gen', type: 'transform', params: { output: '${{ inputs.items }}' } },
      { id: 'each', type: 'transform', dependsOn: ['gen'], forEach: 'steps.gen.output', params: { output: '${{ item * 2 }}' } },
      { id: 'join', type: 'transform', dependsOn: ['each'], params: { output: '${{ size(steps.each.output) }}' } },
    ],
  },
};

const log = (line: string) => process.stderr.write(`${line}\n`);

async function boot(): Promise<INestApplicationContext> {
  await recreateDatabase(DATABASE);
  await migrateBenchDatabase(pgAdminConfig(), DATABASE, {
    DB_POOL_SIZE: String(Math.max(10, settings.concurrency + 4)),
    WORKER_CONCURRENCY: String(settings.concurrency),
    WORKER_ENABLED: 'true',
    SCHEDULER_ENABLED: 'false',
    AGENT_WORKER_ENABLED: 'false',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'silent',
  });

  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
  const { WorkflowModule } = await import('@cognition/workflow/workflow.module');
  const { EngineModule } = await import('@cognition/engine/engine.module');
  @Module({ imports: [CognitionOsCoreModule.forRoot(), WorkflowModule, EngineModule] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: process.env.BENCH_LOG_LEVEL ? ['error', 'warn'] : false });
  await app.init();
  const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
  await app.get(ApiKeyService).createTenant('bench', TENANT);
  const { CommandBus } = await import('@nestjs/cqrs');
  const { CreateWorkflowCommand } = await import('@cognition/workflow/contracts');
  for (const w of Object.values(WORKFLOWS)) {
    await app.get(CommandBus).execute(new CreateWorkflowCommand(TENANT, w.id, '1.0.0', { name: w.id, steps: w.steps } as never, 'active'));
  }
  return app;
}

const literals = new Set<number>();

interface Run {
  ms: number;
  items: number;
}

async function runOnce(app: INestApplicationContext, probe: Client, source: Source, size: number): Promise<Run> {
  const { CommandBus } = await import('@nestjs/cqrs');
  const { StartExecutionCommand } = await import('@cognition/engine/contracts');
  const items = Array.from({ length: size }, (_, i) => i);
  let workflowId: string;
  let inputs: Record<string, unknown> = { items };
  if (source === 'literal') {
    workflowId = `foreach-literal-${size}`;
    inputs = {};
    if (!literals.has(size)) {
      literals.add(size);
      const { CreateWorkflowCommand } = await import('@cognition/workflow/contracts');
      const steps = [
        { id: 'gen', type: 'transform', params: { output: items } },
        { id: 'each', type: 'transform', dependsOn: ['gen'], forEach: 'steps.gen.output', params: { output: '${{ item * 2 }}' } },
        { id: 'join', type: 'transform', dependsOn: ['each'], params: { output: '${{ size(steps.each.output) }}' } },
      ];
      await app.get(CommandBus).execute(new CreateWorkflowCommand(TENANT, workflowId, '1.0.0', { name: workflowId, steps } as never, 'active'));
    }
  } else workflowId = WORKFLOWS[source].id;
  const t0 = nowMs();
  const started = await app.get(CommandBus).execute(new StartExecutionCommand(TENANT, workflowId, '1.0.0', inputs));
  for (;;) {
    const { rows } = await probe.query<{ status: string }>(`SELECT status FROM workflow_executions WHERE id = $1`, [started.id]);
    if (rows[0]?.status !== 'running' && rows[0]?.status !== 'pending') {
      const ms = nowMs() - t0;
      if (rows[0]?.status !== 'completed') throw new Error(`execution ${started.id} ended ${rows[0]?.status}`);
      const check = await probe.query<{ n: string; distinct_n: string; done: string; joined: unknown }>(
        `SELECT count(*) FILTER (WHERE item_index IS NOT NULL) AS n, count(DISTINCT item_index) AS distinct_n,
                count(*) FILTER (WHERE item_index IS NOT NULL AND status = 'completed' AND attempt = 1) AS done,
                max(output::text) FILTER (WHERE step_id = 'join') AS joined
         FROM step_executions WHERE execution_id = $1`,
        [started.id],
      );
      const c = check.rows[0];
      if (Number(c.n) !== size || Number(c.distinct_n) !== size || Number(c.done) !== size || String(c.joined) !== String(size)) {
        throw new Error(`execution ${started.id}: ${JSON.stringify(c)}, expected ${size} items each completed once`);
      }
      return { ms, items: size };
    }
    await sleep(20);
  }
}

async function main(): Promise<void> {
  const machine = await machineInfo();
  log(`forEach benchmark: sizes ${settings.sizes.join(', ')}, ${settings.runs} runs each (median), WORKER_CONCURRENCY ${settings.concurrency}`);
  const app = await boot();
  const probe = new Client({ ...pgAdminConfig(DATABASE), application_name: 'bench-foreach-probe' });
  await probe.connect();
  const results: { source: Source; items: number; runsMs: number[]; medianMs: number }[] = [];
  try {
    for (const source of settings.sources) {
      await runOnce(app, probe, source, 50); // warm-up: plans cached, statements prepared
      const runsMs = new Map<number, number[]>(settings.sizes.map((size) => [size, []]));
      // Rounds, sizes interleaved within each: a slow minute of the machine (the other core busy,
      // autovacuum) falls on every size alike instead of on one size's runs. Each run starts from
      // vacuumed tables, as autovacuum leaves them between bursts: the dead rows of earlier runs
      // would otherwise weigh on later ones, and the later runs are the large ones.
      for (let r = 0; r < settings.runs; r++) {
        for (const size of settings.sizes) {
          if (settings.vacuum) await probe.query('VACUUM (ANALYZE) step_executions, workflow_executions, domain_events, event_subscriptions');
          const run = await runOnce(app, probe, source, size);
          runsMs.get(size)!.push(run.ms);
          log(`  ${source} × ${size}, round ${r + 1}: ${run.ms.toFixed(0)} ms`);
        }
      }
      for (const size of settings.sizes) results.push({ source, items: size, runsMs: runsMs.get(size)!, medianMs: median(runsMs.get(size)!) });
    }
  } finally {
    await probe.end().catch(() => undefined);
    await app.close().catch(() => undefined);
  }
  const rows = results.map((r) => {
    const base = results.find((b) => b.source === r.source && b.items === 1000);
    return [
      r.source === 'inputs' ? 'inputs.items' : r.source === 'step' ? 'steps.gen.output (from inputs)' : 'steps.gen.output (literal list, empty inputs)',
      r.items.toLocaleString('en-US'),
      r.medianMs.toFixed(0),
      ((r.medianMs * 1000) / r.items).toFixed(0),
      ((r.items / r.medianMs) * 1000).toFixed(0),
      base ? `${(r.medianMs / base.medianMs).toFixed(2)}×` : '–',
    ];
  });
  const table = markdownTable(['forEach over', 'items', 'ms (median)', 'µs / item', 'items/s', 'time vs 1,000 items'], rows, ['l', 'r', 'r', 'r', 'r', 'r']);
  process.stdout.write(`\n${table}\n\nMachine:\n${formatMachine(machine)}\n- WORKER_CONCURRENCY ${settings.concurrency}, ${settings.runs} rounds, sizes interleaved (median), ${settings.vacuum ? 'VACUUM before each run' : 'no VACUUM between runs'}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'foreach.json'), JSON.stringify({ at: new Date().toISOString(), machine, settings, results }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    log(`bench:foreach failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
