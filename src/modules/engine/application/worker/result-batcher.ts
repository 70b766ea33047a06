import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { backoffDelay } from '@cognition/platform/background/background-loop';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { describeUnstorableText, escapeUnstorable, findUnstorableText, formatJsonPath } from '@cognition/platform/json/unstorable-text';
import { sqlOf } from '../../infrastructure/sql';
import { StepResult } from '../../infrastructure/step-result';
import { ClaimedStep } from '../../infrastructure/step-claims';
import { EagerClaim } from '../../infrastructure/eager-dispatch';
import { writeStepResults, WriteOutcome } from '../../infrastructure/step-results.writer';
import { completeSteps, completesInOneStatement } from '../../infrastructure/step-completions';
import { EngineMetrics } from '../engine-metrics';

const MAX_BATCH = 500;
/** Transactions writing results at once: one fills while the other commits. */
const WRITERS = 2;
/** Deadlocks of one batch retried this many times before its items are written one by one. */
const CONTENTION_RETRIES = 5;

/** The code of a step whose output (or error) PostgreSQL cannot store; the step fails, not retried. */
export const OUTPUT_NOT_STORABLE = 'OUTPUT_NOT_STORABLE';

export interface ResultBatcherOptions {
  /** First wait after a connection error, doubled each time (with jitter) up to `maxBackoffMs`. Default 100. */
  backoffMs?: number;
  /** Default 5,000. */
  maxBackoffMs?: number;
}

/**
 * Why a write failed, which decides what happens next:
 * - `unavailable`: the database cannot be reached or is shutting down (connect failures, class 08,
 *   57P0x, class 53, class 58): the same batch is retried, with backoff, until it succeeds or the
 *   batcher gives up;
 * - `contention`: deadlock (40P01) or serialization failure (40001): retried at once, then split;
 * - `rejected`: anything else (bad data — class 22, 23, 54 —, a value JSON.stringify cannot write):
 *   the batch is split, and an item that fails alone fails its step.
 */
export type FailureKind = 'unavailable' | 'contention' | 'rejected';

export function failureKind(error: unknown): FailureKind {
  if (isConnectionError(error)) return 'unavailable';
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code === '40P01' || code === '40001') return 'contention';
  if (/^(08|53|58|57P0)/.test(code)) return 'unavailable';
  return 'rejected';
}

type Attempt = { ok: true; notify: boolean; claimed: ClaimedStep[]; drained: boolean } | { ok: false; error: unknown; kind: FailureKind };
type Outcome = 'written' | 'abandoned' | { error: unknown };

/**
 * Group commit for step results: while a transaction writes, the results that finish meanwhile
 * queue up and go together in the next one (WRITERS transactions at most at once). Under load a
 * step costs a share of a few statements; when idle a result is written at once.
 *
 * Nothing here rejects. While the database is unreachable a batch is retried with capped,
 * jittered backoff until it is written or `giveUp()` / the deadline of `drain()` (the worker's
 * shutdown) drops what is left — those steps then run again elsewhere (at-least-once); meanwhile
 * `pendingIds()` lets the worker keep their leases. A batch the database rejects is written
 * item by item; an item rejected alone (a NUL or lone surrogate in its output, a number or a value
 * PostgreSQL cannot hold) fails its own step with OUTPUT_NOT_STORABLE, so no step is re-run forever
 * because of its own output and the rest of the batch completes.
 */
export class ResultBatcher {
  private readonly logger = new Logger(ResultBatcher.name);
  private queue: StepResult[] = [];
  private readonly writers = new Set<Promise<void>>();
  /** Claim ids of results queued or being written. */
  private readonly pending = new Set<string>();
  /** After this time (ms since the epoch) a failed write is not retried. */
  private deadline = Infinity;
  private readonly sleepers = new Set<() => void>();
  /** When the current run of failed writes (database unavailable) began. */
  private failingSince?: number;
  private lastError = '';
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly workerId: string,
    private readonly metrics: EngineMetrics,
    private readonly afterWrite: (notify: boolean, claimed: ClaimedStep[], drained: boolean) => void,
    /** How many steps the worker can take right now, and their lease (for eager dispatch). */
    private readonly eager: () => EagerClaim,
    options: ResultBatcherOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
  }

  push(result: StepResult): void {
    this.pending.add(result.claim.id);
    this.queue.push(this.storable(result));
    if (this.writers.size < WRITERS) this.startWriter();
  }

  /** Claim ids of the results queued or being written: their leases must be kept until they are. */
  pendingIds(): string[] {
    return [...this.pending];
  }

  /**
   * Resolves when everything queued so far is written — or, with a `deadline` (ms since the epoch,
   * as Date.now()), at the deadline at the latest: then the batcher gives up (see `giveUp`). Resolves
   * with the claim ids of the results given up on (empty when everything was written), whose leases
   * the worker can release at once.
   */
  async drain(deadline = Infinity): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      if (Number.isFinite(deadline)) timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()));
    });
    try {
      while (this.writers.size || this.queue.length) {
        if (this.writers.size === 0) this.startWriter();
        if ((await Promise.race([Promise.all([...this.writers]), expired])) === 'expired') return this.giveUp();
      }
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops retrying: results not written yet are dropped, with one log line. Their steps keep their
   * `running` status until the worker releases their leases (or the leases expire); then they run
   * again. A statement already sent may still commit; every write is guarded by the lease, so a
   * step still completes at most once. Returns the claim ids dropped.
   */
  giveUp(): string[] {
    this.deadline = Math.min(this.deadline, Date.now());
    for (const wake of this.sleepers) wake();
    if (this.pending.size) {
      const last = this.lastError ? ` (last error: ${this.lastError})` : '';
      this.logger.warn(`gave up writing ${this.pending.size} step results${last}; their steps run again once their leases are released or expire`);
    }
    const dropped = [...this.pending];
    this.queue = [];
    this.pending.clear();
    return dropped;
  }

  private startWriter(): void {
    const writer: Promise<void> = this.writeAll()
      .catch((error: Error) => this.logger.error(`result writer stopped unexpectedly: ${oneLine(error)}`))
      .finally(() => this.writers.delete(writer));
    this.writers.add(writer);
  }

  private async writeAll(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.writeBatch(batch);
      } finally {
        for (const r of batch) this.pending.delete(r.claim.id);
      }
    }
  }

  private async writeBatch(batch: StepResult[]): Promise<void> {
    const outcome = await this.writeRetrying(batch);
    if (outcome === 'written') return;
    if (outcome === 'abandoned') return this.dropped(batch);
    if (batch.length === 1) return this.failAlone(batch[0], outcome.error);
    this.logger.warn(`a batch of ${batch.length} step results could not be written (${oneLine(outcome.error)}); writing them one at a time`);
    for (const [i, result] of batch.entries()) {
      if (this.givenUp()) return this.dropped(batch.slice(i));
      const single = await this.writeRetrying([result]);
      if (single === 'abandoned') return this.dropped(batch.slice(i));
      if (typeof single === 'object') await this.failAlone(result, single.error);
    }
  }

  /** Results given up on after `giveUp()` logged its line (pushed later): one line for them too. */
  private dropped(results: StepResult[]): void {
    const late = results.filter((r) => this.pending.has(r.claim.id)).length;
    if (late) this.logger.warn(`gave up writing ${late} step results (last error: ${this.lastError}); their steps run again once their leases are released or expire`);
  }

  /** A result the database rejects on its own: its step fails with OUTPUT_NOT_STORABLE instead. */
  private async failAlone(result: StepResult, error: unknown): Promise<void> {
    const failure = notStorable(result, error);
    this.logger.warn(`step ${result.claim.stepId} of execution ${result.claim.executionId} fails with ${OUTPUT_NOT_STORABLE}: ${failure.error.message}`);
    const outcome = await this.writeRetrying([failure]);
    if (outcome === 'abandoned') this.dropped([result]);
    else if (typeof outcome === 'object') {
      // Not the output then (a bare failure of the same step is rejected too): leave the step to its lease.
      this.logger.error(
        `the result of step ${result.claim.stepId} of execution ${result.claim.executionId} could not be written even as a failure (${oneLine(outcome.error)}); dropped, the step runs again when its lease expires`,
      );
    }
  }

  /** Writes `results` in one transaction, retrying while the database is unavailable (or deadlocked). */
  private async writeRetrying(results: StepResult[]): Promise<Outcome> {
    let contention = 0;
    for (let failures = 1; ; failures++) {
      const attempt = await this.writeOnce(results);
      if (attempt.ok) {
        this.recovered();
        this.notifyWorker(attempt.notify, attempt.claimed, attempt.drained);
        return 'written';
      }
      const { error, kind } = attempt;
      if (kind === 'rejected') return { error };
      if (kind === 'contention' && ++contention > CONTENTION_RETRIES && results.length > 1) return { error };
      this.lastError = oneLine(error);
      if (kind === 'unavailable' && this.failingSince === undefined) {
        this.failingSince = Date.now();
        this.logger.warn(`writing step results failed, database unavailable (${this.lastError}); retrying with backoff`);
      }
      if (this.givenUp()) return 'abandoned';
      await this.sleep(backoffDelay(failures, kind === 'contention' ? 10 : this.backoffMs, this.maxBackoffMs));
      if (this.givenUp()) return 'abandoned';
    }
  }

  private async writeOnce(results: StepResult[]): Promise<Attempt> {
    let client;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // Whatever the reason (refused, too many connections, a pool that was ended), no connection now.
      return { ok: false, error, kind: 'unavailable' };
    }
    let broken: Error | undefined;
    // A checked-out client has no 'error' listener of the pool's: a socket that dies between two
    // statements would emit an unhandled 'error' and end the process.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      let written: WriteOutcome;
      if (completesInOneStatement(results)) {
        // One statement, one transaction: no BEGIN / COMMIT round trips.
        written = await completeSteps(sqlOf(client), this.workerId, results, this.eager());
      } else {
        await client.query('BEGIN');
        written = await writeStepResults(sqlOf(client), this.workerId, results, this.eager());
        await client.query('COMMIT');
      }
      const { notify, finished, claimed, drained } = written;
      for (const [outcome, n] of Object.entries(finished)) this.metrics.executions.inc({ outcome }, n);
      return { ok: true, notify, claimed, drained };
    } catch (error) {
      const kind = failureKind(error);
      if (kind === 'unavailable') broken = error as Error;
      else if (!completesInOneStatement(results)) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      return { ok: false, error, kind };
    } finally {
      // A connection that failed is destroyed, not handed back to the pool.
      client.off('error', onError);
      client.release(broken);
    }
  }

  private notifyWorker(notify: boolean, claimed: ClaimedStep[], drained: boolean): void {
    try {
      this.afterWrite(notify, claimed, drained);
    } catch (error) {
      this.logger.error(`after writing step results: ${oneLine(error)}`);
    }
  }

  private recovered(): void {
    if (this.failingSince === undefined) return;
    this.logger.log(`writing step results again after ${((Date.now() - this.failingSince) / 1000).toFixed(1)} s of database unavailability`);
    this.failingSince = undefined;
  }

  private givenUp(): boolean {
    return Date.now() >= this.deadline;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** The result, or — when its output or error holds text PostgreSQL cannot store — its step's failure. */
  private storable(result: StepResult): StepResult {
    let checked: ReturnType<typeof notStorableText> = null;
    try {
      checked = notStorableText(result);
    } catch {
      // A value that throws when read (a getter, a proxy): the write, which reads it too, decides.
    }
    if (!checked) return result;
    this.logger.warn(`step ${result.claim.stepId} of execution ${result.claim.executionId} fails with ${OUTPUT_NOT_STORABLE}: ${checked.message}`);
    return failureOf(result, checked);
  }
}

/** Where the output (or the error) of a result holds unstorable text, as a message and a path. */
function notStorableText(result: StepResult): { message: string; path: string } | null {
  const root = result.kind === 'completed' ? 'output' : result.kind === 'failed' ? 'error' : null;
  if (!root) return null;
  const found = findUnstorableText(result.kind === 'completed' ? result.output : result.kind === 'failed' ? result.error : null);
  return found ? { message: describeUnstorableText(root, found), path: formatJsonPath(root, found.path) } : null;
}

/** The failure that replaces a result the database rejected on its own. */
function notStorable(result: StepResult, error: unknown): Extract<StepResult, { kind: 'failed' }> {
  const found = notStorableText(result);
  if (found) return failureOf(result, found);
  const what = result.kind === 'completed' ? 'output' : result.kind === 'failed' ? 'error' : 'result';
  return failureOf(result, { message: `the step's ${what} could not be stored (${oneLine(error)})` });
}

function failureOf(result: StepResult, problem: { message: string; path?: string }): Extract<StepResult, { kind: 'failed' }> {
  return {
    kind: 'failed',
    claim: result.claim,
    plan: result.plan,
    error: { code: OUTPUT_NOT_STORABLE, message: problem.message, ...(problem.path ? { details: { path: problem.path } } : {}) },
  };
}

/** An error as one short storable line: SQLSTATE and message, no stack. */
function oneLine(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? `${e.code} ` : '';
  return escapeUnstorable(`${code}${message}`.replace(/\s+/g, ' ')).slice(0, 300);
}
