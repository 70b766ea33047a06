/**
 * CognitionOS's engine as an engine under test. It runs in this process as an application would
 * embed it: a Nest application context with the core, workflow and engine modules plus one module of
 * bench step types (`bench_noop`, counting its runs). Workers start at `timing.start()`.
 *
 *   - throughput: N single-step workflows started in bulk (insertExecutions, not timed), drained;
 *   - chains: N executions of a `length`-step chain workflow (each step depends on the previous one:
 *     the engine unlocks the next step in the transaction that completes the previous one);
 *   - latency: StartExecutionCommand (the API's command, without HTTP) to the handler's first line;
 *   - chain: one execution of a `length`-step chain, start to durably completed.
 * Durable completion = no execution left `running` (read with an uncounted client).
 * Two configurations, as graphile-worker has two: `ours` (the defaults) and `ours-batched` (a local
 * queue of 500, like graphile-worker batched's `localQueue.size`; see OursMode).
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, INestApplicationContext, Module } from '@nestjs/common';
import type { DrainResult, EngineEntry, EngineSetup, EngineUnderTest, LatencyResult, Timing } from './engine-under-test';
import { CompletionProbe, Countdown, chunks, nowMs, poolSizeFor, within } from './measure';
import { migrateBenchDatabase } from '../support/engine-database';

const TENANT = '00000000-0000-7000-8000-0000000be7c4';
const RUNNING = `select count(*) from workflow_executions where status = 'running'`;

let onStep: (stepId: string, executionId: string) => void = () => undefined;

/**
 * `default`: the worker's defaults (WORKER_PREFETCH 10, WORKER_BATCH_SIZE 100). `batched`: a local
 * queue of 500 claimed in batches of up to 500 (WORKER_PREFETCH = WORKER_BATCH_SIZE = 500), as
 * graphile-worker's batched configuration holds a local queue of 500 (its `localQueue.size`).
 */
export type OursMode = 'default' | 'batched';

const MODE_ENV: Record<OursMode, Record<string, string>> = {
  default: { WORKER_PREFETCH: '10', WORKER_BATCH_SIZE: '100' },
  batched: { WORKER_PREFETCH: '500', WORKER_BATCH_SIZE: '500' },
};

class OursEngine implements EngineUnderTest {
  readonly name: string;
  readonly version: string = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  readonly settings: string;
  private app?: INestApplicationContext;
  private probe?: CompletionProbe;
  private interactiveStarted = false;

  constructor(private readonly mode: OursMode) {
    this.name = mode === 'default' ? 'cognitionos (ours)' : `cognitionos (ours, ${mode})`;
    const env = MODE_ENV[mode];
    this.settings = `WORKER_CONCURRENCY = concurrency, DB_POOL_SIZE = max(10, concurrency + 2), WORKER_PREFETCH ${env.WORKER_PREFETCH}, WORKER_BATCH_SIZE ${env.WORKER_BATCH_SIZE}, group-commit of results, LISTEN/NOTIFY, poll 500 ms`;
  }

  async setup({ db, concurrency }: EngineSetup): Promise<void> {
    await migrateBenchDatabase(db.config, db.name, {
      DB_POOL_SIZE: String(poolSizeFor(concurrency)),
      WORKER_CONCURRENCY: String(concurrency),
      WORKER_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      ...MODE_ENV[this.mode],
    });

    const { NestFactory } = await import('@nestjs/core');
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { WorkflowModule } = await import('@cognition/workflow/workflow.module');
    const { EngineModule } = await import('@cognition/engine/engine.module');
    const { StepType } = await import('@cognition/engine/contracts');

    @Injectable()
    @StepType('bench_noop')
    class NoopStep {
      async execute(context: { stepId: string; executionId: string }): Promise<null> {
        onStep(context.stepId, context.executionId);
        return null;
      }
    }
    @Module({ providers: [NoopStep] })
    class BenchStepsModule {}
    @Module({ imports: [CognitionOsCoreModule.forRoot(), WorkflowModule, EngineModule, BenchStepsModule] })
    class BenchModule {}

    this.app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
    await this.app.init();
    const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
    await this.app.get(ApiKeyService).createTenant('bench', TENANT);
    this.probe = await new CompletionProbe(db).connect();
  }

  private readonly created = new Set<string>();

  private async workflow(id: string, length: number): Promise<void> {
    if (this.created.has(id)) return;
    this.created.add(id);
    const { CommandBus } = await import('@nestjs/cqrs');
    const { CreateWorkflowCommand } = await import('@cognition/workflow/contracts');
    const steps = Array.from({ length }, (_, i) => ({ id: `s${i}`, type: 'bench_noop', dependsOn: i ? [`s${i - 1}`] : [] }));
    await this.app!.get(CommandBus).execute(new CreateWorkflowCommand(TENANT, id, '1.0.0', { name: id, steps }, 'active'));
  }

  private async bulkStart(workflowId: string, count: number): Promise<void> {
    const { DataSource } = await import('typeorm');
    const { WorkflowPlans } = await import('@cognition/engine/application/workflow-plans');
    const { insertExecutions } = await import('@cognition/engine/infrastructure/execution-starter');
    const { sqlOfManager } = await import('@cognition/engine/infrastructure/sql');
    const plan = await this.app!.get(WorkflowPlans).plan(TENANT, workflowId, '1.0.0');
    for (const part of chunks(Array.from({ length: count }, () => ({})), 2000)) {
      await this.app!.get(DataSource).transaction((em) => insertExecutions(sqlOfManager(em), TENANT, plan, part));
    }
  }

  private async worker() {
    const { StepWorker } = await import('@cognition/engine/application/worker/step-worker');
    return this.app!.get(StepWorker);
  }

  private async drain(workflowId: string, executions: number, steps: number, timing: Timing): Promise<DrainResult> {
    await this.bulkStart(workflowId, executions);
    const countdown = new Countdown(steps);
    onStep = () => countdown.tick();
    const worker = await this.worker();
    timing.start();
    await worker.start();
    await within(countdown.done, 600_000, 'ours drain', () => `${countdown.count}/${steps}`);
    await this.probe!.untilZero(RUNNING);
    timing.stop();
    await worker.stop();
    return { steps: countdown.count };
  }

  async throughput(jobs: number, timing: Timing): Promise<DrainResult> {
    await this.workflow('noop', 1);
    return this.drain('noop', jobs, jobs, timing);
  }

  async chains(chains: number, length: number, timing: Timing): Promise<DrainResult> {
    await this.workflow(`chain${length}`, length);
    return this.drain(`chain${length}`, chains, chains * length, timing);
  }

  private async interactive(): Promise<void> {
    if (this.interactiveStarted) return;
    await (await this.worker()).start();
    this.interactiveStarted = true;
  }

  async latency(samples: number, warmup: number): Promise<LatencyResult> {
    await this.workflow('latency', 1);
    await this.interactive();
    const { CommandBus } = await import('@nestjs/cqrs');
    const { StartExecutionCommand } = await import('@cognition/engine/contracts');
    const commands = this.app!.get(CommandBus);
    const samplesMs: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const started = new Promise<number>((resolve) => (onStep = () => resolve(nowMs())));
      const t0 = nowMs();
      await commands.execute(new StartExecutionCommand(TENANT, 'latency', '1.0.0', {}));
      const t1 = await within(started, 30_000, `latency start ${i}`);
      if (i >= warmup) samplesMs.push(t1 - t0);
    }
    await this.probe!.untilZero(RUNNING);
    return { samplesMs };
  }

  async chain(length: number, timing: Timing): Promise<DrainResult> {
    const id = `long${length}`;
    const { CommandBus } = await import('@nestjs/cqrs');
    const { StartExecutionCommand } = await import('@cognition/engine/contracts');
    await this.workflow(id, length);
    await this.interactive();
    const countdown = new Countdown(length);
    onStep = () => countdown.tick();
    timing.start();
    await this.app!.get(CommandBus).execute(new StartExecutionCommand(TENANT, id, '1.0.0', {}));
    await within(countdown.done, 60_000, 'ours chain', () => `${countdown.count}/${length}`);
    await this.probe!.untilZero(RUNNING);
    timing.stop();
    return { steps: countdown.count };
  }

  async teardown(): Promise<void> {
    await this.app?.close().catch(() => undefined);
    await this.probe?.end();
    this.app = undefined;
    this.interactiveStarted = false;
    this.created.clear();
  }
}

export const oursEntries: EngineEntry[] = [
  { id: 'ours', database: 'ours', family: 'ours', ours: true, create: () => new OursEngine('default') },
  { id: 'ours-batched', database: 'ours', family: 'ours', ours: true, create: () => new OursEngine('batched') },
];
