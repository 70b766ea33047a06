/** Clock, counters and waits shared by the engine benchmark and the engines under test. */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { BenchDatabase } from './engine-under-test';
import { uncountedClient } from './query-counter';
import { pgAdminConfig, recreateDatabase } from '../support/postgres';

/** The one clock of the engine benchmark (ms, monotonic, sub-millisecond). */
export const nowMs = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves `done` when `tick()` has been called `target` times (handlers call it). More ticks than
 * the target are counted (`count`) so that duplicate executions show up in the result.
 */
export class Countdown {
  count = 0;
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(readonly target: number) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
    if (target <= 0) this.resolve();
  }

  tick(n = 1): void {
    this.count += n;
    if (this.count >= this.target) this.resolve();
  }
}

/** Rejects after `ms` with a message saying what did not happen (progress included when given). */
export async function within<T>(promise: Promise<T>, ms: number, what: string, progress?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}${progress ? ` (${progress()})` : ''}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A dedicated connection (not counted as the engine's queries) that asks the database, back to back,
 * until `sql` returns a first column equal to 0 — e.g. "how many jobs are not completed yet?".
 * Used right after the last handler returned, to wait for durable completion.
 */
export class CompletionProbe {
  private readonly client: Client;

  constructor(db: BenchDatabase) {
    this.client = uncountedClient(new Client(db.config));
    // A dropped connection fails the next count() instead of crashing the process.
    this.client.on('error', (error) => process.stderr.write(`[completion probe] ${error.message}\n`));
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.client.query({ text: sql, values: params, rowMode: 'array' });
    return Number(rows[0][0]);
  }

  /** Polls until the count is 0 (no pause between round trips: each is ~0.1–0.3 ms locally). */
  async untilZero(sql: string, params: unknown[] = [], timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.count(sql, params);
      if (left === 0) return;
      if (Date.now() > deadline) throw new Error(`still ${left} not completed after ${timeoutMs} ms: ${sql}`);
      if (left > 100) await sleep(1); // far from done: do not hammer the database
    }
  }

  async end(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** Splits `items` into arrays of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Pool size used for every engine unless it documents otherwise: graphile-worker's own advice. */
export function poolSizeFor(concurrency: number): number {
  return Math.max(10, concurrency + 2);
}

/** A new, empty database `name` on the admin server (dropped first if it exists), as a BenchDatabase (for the scripts that run ours alone). */
export async function freshBenchDatabase(name: string): Promise<BenchDatabase> {
  await recreateDatabase(name);
  const c = pgAdminConfig(name);
  return {
    name,
    connectionString: `postgres://${c.user}@${c.host}:${c.port}/${name}`,
    config: { host: String(c.host), port: Number(c.port), user: String(c.user), password: '', database: name },
  };
}
