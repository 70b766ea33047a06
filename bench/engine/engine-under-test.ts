/**
 * The contract between the engine benchmark harness (bench/engine/run.ts) and each engine it
 * measures: graphile-worker, pg-boss, and ours (bench/engine/ours.ts, added by the engine's author).
 *
 * Lifecycle, once per (engine configuration × worker concurrency), sequentially, never two at once:
 *
 *   1. the harness drops and recreates the engine's database `cognition_os_bench_<database>`;
 *   2. `create()` gives a fresh instance; `setup({ db, concurrency })` installs the schema
 *      (migrations) and connects — not timed, no worker may claim anything yet;
 *   3. `throughput(jobs, timing)`, then `chains(chains, length, timing)`: each enqueues its work
 *      first with the engine's bulk API (not timed), then calls `timing.start()` immediately before
 *      the call that lets its workers start claiming, and `timing.stop()` once the last job/step is
 *      durably completed (committed in the database, not merely "handler returned"). Each must stop
 *      its workers before it returns and leave nothing runnable behind;
 *   4. `latency(samples, warmup)`: workers running, `warmup` then `samples` sequential starts, each
 *      one's time from just before the start/enqueue call to the first line of its handler;
 *   5. `chain(length, timing)`, called several times (the first is a warm-up): `timing.start()`
 *      just before the call that starts a chain of `length` dependent steps, `timing.stop()` once its
 *      last step is durably completed. Workers may stay running between calls;
 *   6. `teardown()` stops every worker, pool and listener (always called, also after an error).
 *
 * Rules that keep the comparison fair:
 *   - workers run in the bench process (as the peers are normally used), with exactly
 *     `concurrency` handlers able to run at once; connection pools sized the same way for all
 *     (max(10, concurrency + 2) unless the engine documents otherwise in `settings`);
 *   - handlers are no-ops (chain steps only start the next step); the harness checks the step count;
 *   - all times come from `nowMs()` (bench/engine/measure.ts: performance.now(), one process);
 *   - database round trips made by the harness itself (e.g. polling for durable completion) are
 *     excluded from the "queries per step" count by using `uncountedClient()` (query-counter.ts).
 */
import type { ClientConfig } from 'pg';

/** The fresh, empty database the harness created for this engine run. */
export interface BenchDatabase {
  /** e.g. `cognition_os_bench_graphile_worker` */
  name: string;
  /** `postgres://user:password@host:port/name` */
  connectionString: string;
  /** The same, as node-postgres settings (DB_HOST, DB_PORT, DB_USER, DB_PASSWORD). */
  config: ClientConfig & { host: string; port: number; user: string; database: string };
}

export interface EngineSetup {
  db: BenchDatabase;
  /** Worker concurrency: how many step handlers may run at once in this process (10, 24, …). */
  concurrency: number;
}

/** Owned by the harness: marks the timed window of one measurement. Call each exactly once. */
export interface Timing {
  /** Immediately before the call that lets workers claim (throughput/chains) or that starts the chain. */
  start(): void;
  /** As soon as the last job/step is durably completed. */
  stop(): void;
}

export interface DrainResult {
  /** Step handlers that ran to completion inside the timed window; must equal the work requested. */
  steps: number;
  /** Optional engine-specific numbers kept in the JSON (e.g. startupMs: worker start-up inside the window). */
  details?: Record<string, number>;
}

export interface LatencyResult {
  /** One per measured start (warm-up excluded): ms from just before the start call to the handler's first line. */
  samplesMs: number[];
}

export interface EngineUnderTest {
  /** Row label, e.g. `graphile-worker 0.17.3 (batched)`. */
  readonly name: string;
  /** Package version or git revision. */
  readonly version: string;
  /** One line: the settings that matter (pool, batching, polling…), printed with the results. */
  readonly settings: string;
  setup(ctx: EngineSetup): Promise<void>;
  /** `jobs` single no-op jobs (single-step workflows for ours), enqueued, then drained. */
  throughput(jobs: number, timing: Timing): Promise<DrainResult>;
  /** `chains` chains of `length` steps, each step starting the next one when done; steps = chains × length. */
  chains(chains: number, length: number, timing: Timing): Promise<DrainResult>;
  latency(samples: number, warmup: number): Promise<LatencyResult>;
  /** One chain of `length` steps, end to end. */
  chain(length: number, timing: Timing): Promise<DrainResult>;
  teardown(): Promise<void>;
}

/** One configured engine in the list the harness runs (bench/engine/engines.ts). */
export interface EngineEntry {
  /** Stable id used in the JSON and on the command line (BENCH_ENGINES=…), e.g. `graphile-worker-batched`. */
  id: string;
  /** Database suffix: the run uses `cognition_os_bench_<database>` (recreated for every run). */
  database: string;
  /** Peer family, for "best peer" ratios; ours is `ours`. */
  family: 'graphile-worker' | 'pg-boss' | 'ours' | string;
  /** Our engine: the other rows get a "vs ours" ratio. */
  ours?: boolean;
  create(): EngineUnderTest;
}
