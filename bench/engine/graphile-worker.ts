/**
 * graphile-worker as an engine under test, in two configurations:
 *
 *   - `default`: the library's defaults (no local queue, no completion batching), with
 *     `concurrentJobs` = the worker concurrency and `maxPoolSize` = max(10, concurrency + 2) — the
 *     pool size graphile-worker's own docs recommend ("10 or concurrentJobs + 2, whichever is larger");
 *   - `batched`: plus the batching options of https://worker.graphile.org/docs/performance
 *     (`localQueue: { size: 500 }`, `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`), exactly as
 *     that page's configuration (which uses concurrentJobs 24, maxPoolSize 25).
 *
 * Workers run in this process with `run()` (LISTEN/NOTIFY wake-ups, default 2 s poll fallback).
 * Jobs are enqueued with WorkerUtils: `addJobs` in bulk before a drain, `addJob` for latency and
 * the long chain; a chain step adds the next step with `helpers.addJob` from inside its task.
 * Durable completion: graphile-worker deletes a job's row when it completes (and completes
 * asynchronously, after the task returned, in both modes), so "done" = `_private_jobs` is empty.
 */
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import type { Runner, TaskList, WorkerUtils } from 'graphile-worker';
import type { BenchDatabase, DrainResult, EngineEntry, EngineSetup, EngineUnderTest, LatencyResult, Timing } from './engine-under-test';
import { CompletionProbe, Countdown, chunks, nowMs, poolSizeFor, within } from './measure';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('graphile-worker/package.json').version;

export type GraphileMode = 'default' | 'batched';

const BATCHING = { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } as const;
const JOBS_LEFT = 'select count(*) from graphile_worker._private_jobs';
const ENQUEUE_CHUNK = 5_000;
const DRAIN_TIMEOUT_MS = 600_000;

/** Errors and warnings only (graphile-worker logs every job at info level by default). */
const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') process.stderr.write(`[graphile-worker ${level}] ${message}\n`);
});

class GraphileWorkerEngine implements EngineUnderTest {
  readonly name: string;
  readonly version = VERSION;
  readonly settings: string;
  private db!: BenchDatabase;
  private concurrency = 1;
  private utils?: WorkerUtils;
  private probe?: CompletionProbe;
  private runner?: Runner;
  /** The runner kept alive across latency() and chain() calls. */
  private interactive?: Runner;
  private latencyWaiters = new Map<number, (t: number) => void>();
  private chainCountdown?: Countdown;

  constructor(private readonly mode: GraphileMode) {
    this.name = `graphile-worker ${VERSION} (${mode})`;
    this.settings =
      mode === 'batched'
        ? 'concurrentJobs = concurrency, maxPoolSize = max(10, concurrency + 2), localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0, pollInterval 2000 (default)'
        : 'concurrentJobs = concurrency, maxPoolSize = max(10, concurrency + 2), no localQueue, no completion batching, pollInterval 2000 (defaults)';
  }

  async setup({ db, concurrency }: EngineSetup): Promise<void> {
    this.db = db;
    this.concurrency = concurrency;
    this.utils = await makeWorkerUtils({ connectionString: db.connectionString, logger: quietLogger });
    await this.utils.migrate();
    this.probe = await new CompletionProbe(db).connect();
  }

  private start(taskList: TaskList): Promise<Runner> {
    return run({
      connectionString: this.db.connectionString,
      concurrency: this.concurrency,
      maxPoolSize: poolSizeFor(this.concurrency),
      noHandleSignals: true,
      logger: quietLogger,
      taskList,
      preset: this.mode === 'batched' ? { worker: { ...BATCHING, localQueue: { ...BATCHING.localQueue } } } : {},
    });
  }

  private async drain(countdown: Countdown, timing: Timing, taskList: TaskList): Promise<DrainResult> {
    timing.start();
    const t0 = nowMs();
    this.runner = await this.start(taskList);
    const startupMs = nowMs() - t0;
    const runnerFailed = this.runner.promise.then(() => {
      throw new Error('graphile-worker runner stopped early');
    });
    await within(Promise.race([countdown.done, runnerFailed]), DRAIN_TIMEOUT_MS, 'graphile-worker drain', () => `${countdown.count}/${countdown.target} steps`);
    await this.probe!.untilZero(JOBS_LEFT);
    timing.stop();
    await this.runner.stop();
    this.runner = undefined;
    return { steps: countdown.count, details: { startupMs } };
  }

  async throughput(jobs: number, timing: Timing): Promise<DrainResult> {
    for (const part of chunks(Array.from({ length: jobs }, (_, i) => i), ENQUEUE_CHUNK)) {
      await this.utils!.addJobs(part.map((i) => ({ identifier: 'noop', payload: { i } })));
    }
    const countdown = new Countdown(jobs);
    return this.drain(countdown, timing, {
      noop: async () => {
        countdown.tick();
      },
    });
  }

  async chains(chains: number, length: number, timing: Timing): Promise<DrainResult> {
    for (const part of chunks(Array.from({ length: chains }, (_, c) => c), ENQUEUE_CHUNK)) {
      await this.utils!.addJobs(part.map((c) => ({ identifier: 'step', payload: { c, s: 0 } })));
    }
    const countdown = new Countdown(chains * length);
    return this.drain(countdown, timing, {
      step: async (payload, helpers) => {
        const { c, s } = payload as { c: number; s: number };
        if (s + 1 < length) await helpers.addJob('step', { c, s: s + 1 });
        countdown.tick();
      },
    });
  }

  /** latency() and chain() share one runner, started on first use and stopped by teardown(). */
  private async interactiveRunner(): Promise<Runner> {
    this.interactive ??= await this.start({
      latency: async (payload) => {
        const t = nowMs();
        this.latencyWaiters.get((payload as { i: number }).i)?.(t);
      },
      chain: async (payload, helpers) => {
        const { s, n } = payload as { s: number; n: number };
        if (s + 1 < n) await helpers.addJob('chain', { s: s + 1, n });
        this.chainCountdown?.tick();
      },
    });
    return this.interactive;
  }

  async latency(samples: number, warmup: number): Promise<LatencyResult> {
    await this.interactiveRunner();
    const samplesMs: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const started = new Promise<number>((resolve) => this.latencyWaiters.set(i, resolve));
      const t0 = nowMs();
      await this.utils!.addJob('latency', { i });
      const t1 = await within(started, 30_000, `latency job ${i} start`);
      this.latencyWaiters.delete(i);
      if (i >= warmup) samplesMs.push(t1 - t0);
    }
    await this.probe!.untilZero(JOBS_LEFT);
    return { samplesMs };
  }

  async chain(length: number, timing: Timing): Promise<DrainResult> {
    await this.interactiveRunner();
    const countdown = (this.chainCountdown = new Countdown(length));
    timing.start();
    await this.utils!.addJob('chain', { s: 0, n: length });
    await within(countdown.done, 60_000, 'graphile-worker chain', () => `${countdown.count}/${length}`);
    await this.probe!.untilZero(JOBS_LEFT);
    timing.stop();
    this.chainCountdown = undefined;
    return { steps: countdown.count };
  }

  async teardown(): Promise<void> {
    for (const runner of [this.runner, this.interactive]) await runner?.stop().catch(() => undefined);
    this.runner = this.interactive = undefined;
    await this.utils?.release();
    await this.probe?.end();
  }
}

export const graphileWorkerEntries: EngineEntry[] = (['default', 'batched'] as const).map((mode) => ({
  id: `graphile-worker-${mode}`,
  database: 'graphile_worker',
  family: 'graphile-worker',
  create: () => new GraphileWorkerEngine(mode),
}));
