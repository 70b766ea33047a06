/**
 * Fairness benchmark (issue 16): does a tenant with a deep backlog delay another tenant's work?
 *
 * One fresh database `cognition_os_bench_fairness`, the engine embedded as an application would
 * (core, workflow and engine modules, one worker, a no-op step type). Tenant A gets
 * BENCH_FAIR_A_STEPS (100,000) single-step executions, enqueued in bulk before the worker starts
 * (not timed). Then the worker starts and, while A's backlog drains, tenant B starts a 3-step chain
 * (b0 → b1 → b2) every BENCH_FAIR_B_EVERY_MS (500 ms), BENCH_FAIR_B_RUNS (5) times, each timed
 * from StartExecutionCommand to its execution durably completed (polled every 5 ms on a connection
 * of its own). Also measured: A's steps still queued when each B chain completed (B must not wait
 * for A's backlog), and A's throughput (A's steps / time from worker start to A's last execution
 * durably completed).
 *
 *   npm run bench:fairness
 *   BENCH_FAIR_A_STEPS=20000 BENCH_FAIR_B_RUNS=3 BENCH_CONCURRENCY=10 npm run bench:fairness
 *   BENCH_FAIR_A_CAP=5 npm run bench:fairness   # + A capped at 5 running steps (a tenant_quotas row)
 *
 * Prints a markdown table and writes bench/results/fairness.json. Target: every B chain under 2 s.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { formatMachine, machineInfo } from '../support/machine';
import { pgAdminConfig, recreateDatabase } from '../support/postgres';
import { markdownTable } from '../support/table';
import { chunks, median, nowMs, sleep } from './measure';
import { migrateBenchDatabase } from '../support/engine-database';
import { quickOr } from '../support/quick';

const ROOT = resolve(__dirname, '..', '..');
const DATABASE = 'cognition_os_bench_fairness';
const TENANT_A = '00000000-0000-7000-8000-00000000fa1a';
const TENANT_B = '00000000-0000-7000-8000-00000000fa1b';
const TARGET_MS = 2000;

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const settings = {
  aSteps: num('BENCH_FAIR_A_STEPS', quickOr(100_000, 20_000)),
  bRuns: num('BENCH_FAIR_B_RUNS', quickOr(5, 3)),
  bEveryMs: num('BENCH_FAIR_B_EVERY_MS', 500),
  /** B's first chain starts this long after the worker (A's drain is under way). */
  bFirstMs: num('BENCH_FAIR_B_FIRST_MS', 1000),
  concurrency: num('BENCH_CONCURRENCY', 10),
  aCap: process.env.BENCH_FAIR_A_CAP ? num('BENCH_FAIR_A_CAP', 1) : undefined,
};

const log = (line: string) => process.stderr.write(`${line}\n`);
let aHandled = 0;

async function boot(): Promise<INestApplicationContext> {
  await recreateDatabase(DATABASE);
  await migrateBenchDatabase(pgAdminConfig(), DATABASE, {
    DB_POOL_SIZE: String(Math.max(10, settings.concurrency + 4)),
    WORKER_CONCURRENCY: String(settings.concurrency),
    WORKER_ENABLED: 'false',
    SCHEDULER_ENABLED: 'false',
    AGENT_WORKER_ENABLED: 'false',
    LOG_LEVEL: 'silent',
  });

  const { Injectable, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
  const { WorkflowModule } = await import('@cognition/workflow/workflow.module');
  const { EngineModule } = await import('@cognition/engine/engine.module');
  const { StepType } = await import('@cognition/engine/contracts');

  @Injectable()
  @StepType('bench_noop')
  class NoopStep {
    async execute(context: { stepId: string }): Promise<null> {
      if (context.stepId === 'a') aHandled++;
      return null;
    }
  }
  @Module({ providers: [NoopStep] })
  class BenchStepsModule {}
  @Module({ imports: [CognitionOsCoreModule.forRoot(), WorkflowModule, EngineModule, BenchStepsModule] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();

  const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
  await app.get(ApiKeyService).createTenant('fairness-a', TENANT_A);
  await app.get(ApiKeyService).createTenant('fairness-b', TENANT_B);
  const { CommandBus } = await import('@nestjs/cqrs');
  const { CreateWorkflowCommand } = await import('@cognition/workflow/contracts');
  const commands = app.get(CommandBus);
  await commands.execute(new CreateWorkflowCommand(TENANT_A, 'a-noop', '1.0.0', { name: 'a-noop', steps: [{ id: 'a', type: 'bench_noop' }] } as never, 'active'));
  const chain = ['b0', 'b1', 'b2'].map((id, i) => ({ id, type: 'bench_noop', dependsOn: i ? [`b${i - 1}`] : [] }));
  await commands.execute(new CreateWorkflowCommand(TENANT_B, 'b-chain', '1.0.0', { name: 'b-chain', steps: chain } as never, 'active'));
  return app;
}

/** A's backlog, inserted in bulk (as ours.ts does for bench:engine). */
async function enqueueA(app: INestApplicationContext): Promise<void> {
  const { DataSource } = await import('typeorm');
  const { WorkflowPlans } = await import('@cognition/engine/application/workflow-plans');
  const { insertExecutions } = await import('@cognition/engine/infrastructure/execution-starter');
  const { sqlOfManager } = await import('@cognition/engine/infrastructure/sql');
  const plan = await app.get(WorkflowPlans).plan(TENANT_A, 'a-noop', '1.0.0');
  for (const part of chunks(Array.from({ length: settings.aSteps }, () => ({})), 2000)) {
    await app.get(DataSource).transaction((em) => insertExecutions(sqlOfManager(em), TENANT_A, plan, part));
  }
}

interface BRun {
  run: number;
  startedAtMs: number;
  latencyMs: number;
  aQueuedAtEnd: number;
}

async function runB(app: INestApplicationContext, probe: Client, run: number, t0: number): Promise<BRun> {
  const { CommandBus } = await import('@nestjs/cqrs');
  const { StartExecutionCommand } = await import('@cognition/engine/contracts');
  const startedAt = nowMs();
  const started = await app.get(CommandBus).execute(new StartExecutionCommand(TENANT_B, 'b-chain', '1.0.0', {}));
  for (;;) {
    const { rows } = await probe.query<{ status: string }>(`SELECT status FROM workflow_executions WHERE id = $1`, [started.id]);
    const status = rows[0]?.status;
    if (status !== 'running' && status !== 'pending') {
      const latencyMs = nowMs() - startedAt;
      if (status !== 'completed') throw new Error(`B's execution ${started.id} ended ${status}`);
      const [queued] = (
        await probe.query<{ n: string }>(`SELECT count(*) AS n FROM workflow_executions WHERE tenant_id = $1 AND status = 'running'`, [TENANT_A])
      ).rows;
      return { run, startedAtMs: startedAt - t0, latencyMs, aQueuedAtEnd: Number(queued.n) };
    }
    await sleep(5);
  }
}

async function main(): Promise<void> {
  const machine = await machineInfo();
  log(`fairness benchmark: A ${settings.aSteps} queued steps, B ${settings.bRuns} 3-step chains every ${settings.bEveryMs} ms, WORKER_CONCURRENCY ${settings.concurrency}${settings.aCap ? `, A capped at ${settings.aCap}` : ''}`);
  const app = await boot();
  const probe = new Client({ ...pgAdminConfig(DATABASE), application_name: 'bench-fairness-probe' });
  await probe.connect();
  let result: { runs: BRun[]; aDrainMs: number; aStepsPerSecond: number };
  try {
    await enqueueA(app);
    if (settings.aCap) await probe.query(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, $2)`, [TENANT_A, settings.aCap]);
    await probe.query(`VACUUM ANALYZE step_executions`);
    await probe.query(`VACUUM ANALYZE workflow_executions`);
    log(`  A: ${settings.aSteps} executions queued`);
    const { StepWorker } = await import('@cognition/engine/application/worker/step-worker');
    const worker = app.get(StepWorker);
    const t0 = nowMs();
    worker.start();
    const runs: Promise<BRun>[] = [];
    for (let i = 0; i < settings.bRuns; i++) {
      await sleep(Math.max(0, t0 + settings.bFirstMs + i * settings.bEveryMs - nowMs()));
      runs.push(runB(app, probe, i + 1, t0).then((r) => (log(`  B run ${r.run}: ${r.latencyMs.toFixed(0)} ms (A: ${r.aQueuedAtEnd} executions left)`), r)));
    }
    const done = await Promise.all(runs);
    for (;;) {
      const { rows } = await probe.query<{ n: string }>(`SELECT count(*) AS n FROM workflow_executions WHERE tenant_id = $1 AND status = 'running'`, [TENANT_A]);
      if (Number(rows[0].n) === 0) break;
      await sleep(20);
    }
    const aDrainMs = nowMs() - t0;
    await worker.stop();
    if (aHandled < settings.aSteps) throw new Error(`A: ${aHandled} of ${settings.aSteps} steps ran`);
    result = { runs: done, aDrainMs, aStepsPerSecond: (settings.aSteps / aDrainMs) * 1000 };
    log(`  A drained in ${(aDrainMs / 1000).toFixed(1)} s (${result.aStepsPerSecond.toFixed(0)} steps/s)`);
  } finally {
    await probe.end().catch(() => undefined);
    await app.close().catch(() => undefined);
  }
  const rows = result.runs.map((r) => [
    String(r.run),
    (r.startedAtMs / 1000).toFixed(1),
    r.latencyMs.toFixed(0),
    r.aQueuedAtEnd.toLocaleString('en-US'),
    r.latencyMs < TARGET_MS ? 'yes' : 'NO',
  ]);
  const latencies = result.runs.map((r) => r.latencyMs);
  const table = markdownTable(['B chain', 'started at (s after worker start)', 'B start → completed (ms)', 'A executions still queued then', '< 2 s'], rows, ['r', 'r', 'r', 'r', 'l']);
  const summary = markdownTable(
    ['A queued', 'A cap', 'B median ms', 'B max ms', 'A drain (s)', 'A steps/s'],
    [[
      settings.aSteps.toLocaleString('en-US'),
      settings.aCap ? String(settings.aCap) : 'default',
      median(latencies).toFixed(0),
      Math.max(...latencies).toFixed(0),
      (result.aDrainMs / 1000).toFixed(1),
      result.aStepsPerSecond.toFixed(0),
    ]],
    ['r', 'l', 'r', 'r', 'r', 'r'],
  );
  process.stdout.write(`\n${table}\n\n${summary}\n\nMachine:\n${formatMachine(machine)}\n- WORKER_CONCURRENCY ${settings.concurrency}, one worker\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'fairness.json'), JSON.stringify({ at: new Date().toISOString(), machine, settings, result }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    log(`bench:fairness failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
