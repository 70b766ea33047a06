/**
 * DBOS Transact (TypeScript) as an engine under test: a durable workflow engine on PostgreSQL, the
 * peer closest to ours in what it records (a workflow's status row and each step's output).
 *
 * A job is a workflow with one no-op step (`DBOS.runStep`); a chain of n steps is one workflow
 * with n steps in sequence (DBOS's way to run dependent steps). DBOS is a process-wide singleton:
 * each setup() configures and launches it on the run's database, teardown() shuts it down.
 *
 *   - throughput and chains: workflows enqueued on a queue (`DBOS.startWorkflow(fn, { queueName })`,
 *     one call per workflow: DBOS has no bulk enqueue) while this process does not listen to that
 *     queue yet (`listenQueues`); the timed window starts with `DBOS.registerQueue` (workerConcurrency
 *     = concurrency, minPollingIntervalMs 1: the best of 1 / 20 / 200 ms here; the default 1,000 ms
 *     dispatches one batch a second). Done = every workflow of the queue `SUCCESS` in
 *     `dbos.workflow_status`;
 *   - latency and the long chain: started directly (`DBOS.startWorkflow(fn)()`), DBOS's usual
 *     invocation, which runs the workflow in the calling process at once; latency is the start call
 *     → the step's first line.
 *
 * Pool: `systemDatabasePoolSize` = max(10, concurrency + 2).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DBOS } from '@dbos-inc/dbos-sdk';
import type { BenchDatabase, DrainResult, EngineEntry, EngineSetup, EngineUnderTest, LatencyResult, Timing } from './engine-under-test';
import { CompletionProbe, Countdown, chunks, nowMs, poolSizeFor, within } from './measure';

const VERSION: string = JSON.parse(readFileSync(join(dirname(require.resolve('@dbos-inc/dbos-sdk')), '../../package.json'), 'utf8')).version;

const POLLING_MS = 1;
const ENQUEUE_CHUNK = 500;
const DRAIN_TIMEOUT_MS = 600_000;
const QUEUES = ['throughput', 'chains'];
const LEFT_ON_QUEUE = `select count(*) from dbos.workflow_status where queue_name = $1 and status <> 'SUCCESS'`;
const LEFT_OF_WORKFLOW = `select count(*) from dbos.workflow_status where workflow_uuid = $1 and status <> 'SUCCESS'`;

/** What the registered workflows report to: the engine instance running now (one at a time). */
interface Sink {
  step(): void;
  started(i: number, t: number): void;
}
let sink: Sink | undefined;

async function noop(): Promise<void> {
  sink?.step();
}

const job = DBOS.registerWorkflow(
  async (i: number) => {
    await DBOS.runStep(noop, { name: 'noop' });
    return i;
  },
  { name: 'bench-job' },
);

const chain = DBOS.registerWorkflow(
  async (length: number) => {
    for (let s = 0; s < length; s++) await DBOS.runStep(noop, { name: 'noop' });
    return length;
  },
  { name: 'bench-chain' },
);

const latency = DBOS.registerWorkflow(
  async (i: number) => {
    await DBOS.runStep(async () => sink?.started(i, nowMs()), { name: 'mark' });
    return i;
  },
  { name: 'bench-latency' },
);

class DbosEngine implements EngineUnderTest {
  readonly name = `DBOS Transact ${VERSION}`;
  readonly version = VERSION;
  readonly settings = `queue workerConcurrency = concurrency, minPollingIntervalMs ${POLLING_MS}, systemDatabasePoolSize = max(10, concurrency + 2); one enqueue call per workflow; latency and the long chain started directly`;
  private db!: BenchDatabase;
  private concurrency = 1;
  private launched = false;
  private probe?: CompletionProbe;
  private countdown?: Countdown;
  private readonly latencyWaiters = new Map<number, (t: number) => void>();

  async setup({ db, concurrency }: EngineSetup): Promise<void> {
    this.db = db;
    this.concurrency = concurrency;
    sink = { step: () => this.countdown?.tick(), started: (i, t) => this.latencyWaiters.get(i)?.(t) };
    DBOS.setConfig({
      name: 'cognition-os-bench',
      systemDatabaseUrl: db.connectionString,
      systemDatabasePoolSize: poolSizeFor(concurrency),
      logLevel: 'error',
      listenQueues: QUEUES,
    });
    await DBOS.launch();
    this.launched = true;
    this.probe = await new CompletionProbe(db).connect();
  }

  private async drain(queue: string, countdown: Countdown, timing: Timing): Promise<DrainResult> {
    this.countdown = countdown;
    timing.start();
    await DBOS.registerQueue(queue, { workerConcurrency: this.concurrency, minPollingIntervalMs: POLLING_MS });
    await within(countdown.done, DRAIN_TIMEOUT_MS, `DBOS drain of ${queue}`, () => `${countdown.count}/${countdown.target} steps`);
    await this.probe!.untilZero(LEFT_ON_QUEUE, [queue], DRAIN_TIMEOUT_MS);
    timing.stop();
    this.countdown = undefined;
    return { steps: countdown.count };
  }

  /** `count` calls of `enqueueOne`, ENQUEUE_CHUNK at a time (DBOS has no bulk enqueue). */
  private async enqueue(count: number, enqueueOne: (i: number) => Promise<unknown>): Promise<void> {
    for (const part of chunks(Array.from({ length: count }, (_, i) => i), ENQUEUE_CHUNK)) await Promise.all(part.map(enqueueOne));
  }

  async throughput(jobs: number, timing: Timing): Promise<DrainResult> {
    await this.enqueue(jobs, (i) => DBOS.startWorkflow(job, { queueName: 'throughput' })(i));
    return this.drain('throughput', new Countdown(jobs), timing);
  }

  async chains(chains: number, length: number, timing: Timing): Promise<DrainResult> {
    await this.enqueue(chains, () => DBOS.startWorkflow(chain, { queueName: 'chains' })(length));
    return this.drain('chains', new Countdown(chains * length), timing);
  }

  async latency(samples: number, warmup: number): Promise<LatencyResult> {
    const samplesMs: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const started = new Promise<number>((resolve) => this.latencyWaiters.set(i, resolve));
      const t0 = nowMs();
      const handle = await DBOS.startWorkflow(latency)(i);
      const t1 = await within(started, 30_000, `DBOS latency workflow ${i} start`);
      this.latencyWaiters.delete(i);
      await handle.getResult();
      if (i >= warmup) samplesMs.push(t1 - t0);
    }
    return { samplesMs };
  }

  async chain(length: number, timing: Timing): Promise<DrainResult> {
    const countdown = (this.countdown = new Countdown(length));
    timing.start();
    const handle = await DBOS.startWorkflow(chain)(length);
    await within(countdown.done, 60_000, 'DBOS chain', () => `${countdown.count}/${length}`);
    await this.probe!.untilZero(LEFT_OF_WORKFLOW, [handle.workflowID]);
    timing.stop();
    this.countdown = undefined;
    return { steps: countdown.count };
  }

  async teardown(): Promise<void> {
    if (this.launched) await DBOS.shutdown().catch(() => undefined);
    this.launched = false;
    sink = undefined;
    await this.probe?.end();
  }
}

export const dbosEntries: EngineEntry[] = [{ id: 'dbos', database: 'dbos', family: 'dbos', create: () => new DbosEngine() }];
