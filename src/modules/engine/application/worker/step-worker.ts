import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { ChannelSubscriber, PgListener } from '@cognition/platform/database/pg-listener';
import { finishBy, waitForPending } from '@cognition/platform/lifecycle/drain';
import { ExecutionPlan } from '../../domain/execution-plan';
import { StepRow } from '../../domain/step-context';
import { CANCEL_CHANNEL } from '../../infrastructure/execution-control';
import { StartClaim, STEPS_CHANNEL } from '../../infrastructure/execution-starter';
import { sqlOf } from '../../infrastructure/sql';
import { ExecutionInputsCache } from '../../infrastructure/execution-inputs-cache';
import { claimSteps, ClaimedStep, handBackUnstarted, heartbeat, reapExpiredLeases, releaseLeases } from '../../infrastructure/step-claims';
import { StepResult } from '../../infrastructure/step-result';
import { EngineMetrics } from '../engine-metrics';
import { WorkflowPlans } from '../workflow-plans';
import { ClaimConnection } from './claim-connection';
import { ResultBatcher } from './result-batcher';
import { StepRunner } from './step-runner';

interface Queued {
  claim: ClaimedStep;
  plan: ExecutionPlan;
  rows: StepRow[];
}

/** A running handler. One step can have two: see `inFlight`. */
interface Running {
  claim: ClaimedStep;
  cancel: AbortController;
  done: Promise<void>;
}

/**
 * A worker: claims runnable steps in batches (FOR UPDATE SKIP LOCKED, with a lease) into a small
 * local queue (WORKER_PREFETCH beyond the handler slots), runs up to WORKER_CONCURRENCY handlers at
 * once, and hands results to the batcher, which writes many in one transaction. Its loops (claims,
 * heartbeat, lease reaper) run on the platform's BackgroundJobs, so a database outage only pauses
 * them; it is woken through the process's shared LISTEN connection and polls every WORKER_POLL_MS.
 *
 * Shutdown (beforeApplicationShutdown, while the pool is still open), within SHUTDOWN_GRACE_SECONDS:
 * stop claiming; hand back the prefetched steps that have not started; keep heartbeating the running
 * ones until they finish; when the grace runs out, abort what still runs and release its leases
 * so another worker takes it over at once; write the results that are in.
 */
@Injectable()
export class StepWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(StepWorker.name);
  /**
   * The handlers running now. A set, not a map by step id: after an outage longer than the lease the
   * reaper makes a step pending while its attempt still runs here, and this worker can claim it again;
   * both attempts then take a slot, have their leases renewed and get the execution's cancel.
   */
  private readonly inFlight = new Set<Running>();
  private queue: Queued[] = [];
  /** Claims go through a connection of their own (claim-connection.ts). */
  private readonly claimConnection: ClaimConnection;
  private running = false;
  /**
   * Whether the queue may hold more than this worker took: its last claim through the queue filled
   * what it asked for, or it was woken since. When not, the eager claim after a write only hands
   * off what the write unlocked (step-results.writer.ts).
   */
  private backlog = true;
  /** The inputs of the executions this worker ran steps of lately: claims do not send them again. */
  private readonly inputs = new ExecutionInputsCache();
  /** A start is claiming for this worker in its own statement (startClaim). */
  private startClaiming = false;
  private claims?: BackgroundLoop;
  private heartbeats?: BackgroundLoop;
  private reaper?: BackgroundLoop;
  private batcher!: ResultBatcher;
  private readonly channels: Record<string, ChannelSubscriber> = {
    [STEPS_CHANNEL]: { notify: () => this.wake(), caughtUp: () => this.wake() },
    [CANCEL_CHANNEL]: { notify: (executionId) => this.abortExecution(executionId), caughtUp: () => void this.catchUpCancels() },
  };

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly plans: WorkflowPlans,
    private readonly runner: StepRunner,
    private readonly metrics: EngineMetrics,
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
  ) {
    this.claimConnection = new ClaimConnection(config.all);
  }

  private get pool(): Pool {
    return (this.db.driver as unknown as { master: Pool }).master;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.get('WORKER_ENABLED')) this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const capacity = this.config.get('WORKER_CONCURRENCY') + this.config.get('WORKER_PREFETCH');
    const lease = this.config.get('LEASE_SECONDS');
    const poll = this.config.get('WORKER_POLL_MS');
    this.batcher = new ResultBatcher(
      this.pool,
      this.id,
      this.metrics,
      (notify, claimed, drained) => {
        if (drained) this.backlog = false;
        if (claimed.length) this.enqueue(claimed).then(() => this.dispatch(), (e: Error) => this.logger.warn(`steps claimed after a write could not be queued: ${e.message}`));
        if (notify) this.wake();
      },
      () => ({
        limit: this.running ? capacity - this.inFlight.size - this.queue.length : 0,
        leaseSeconds: lease,
        tenantMaxRunningSteps: this.config.get('TENANT_MAX_RUNNING_STEPS'),
        backlog: this.backlog,
        inputs: this.inputs,
      }),
    );
    for (const [channel, subscriber] of Object.entries(this.channels)) this.listener.subscribe(channel, subscriber);
    this.claims = this.jobs.start({ name: 'engine.step-claims', everyMs: poll, run: () => this.claimPass() });
    this.reaper = this.jobs.start({ name: 'engine.lease-reaper', everyMs: Math.max(poll, 1000), run: () => this.reap() });
    this.heartbeats = this.jobs.start({ name: 'engine.heartbeat', everyMs: (lease * 1000) / 3, backoffMs: 200, maxBackoffMs: 1000, run: () => this.renew() });
  }

  /** The shutdown sequence in the class comment; safe to call twice. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const grace = this.config.get('SHUTDOWN_GRACE_SECONDS');
    const started = Date.now();
    const deadline = started + grace * 1000;
    for (const [channel, subscriber] of Object.entries(this.channels)) this.listener.unsubscribe(channel, subscriber);
    await this.jobs.stop(this.claims);
    await this.jobs.stop(this.reaper);
    await this.handBack(deadline);
    // Running handlers finish while the heartbeat keeps their leases; the last second of the
    // grace is kept for releasing what is left and writing results.
    await waitForPending(() => [...this.inFlight].map((f) => f.done), finishBy(started, grace));
    if (this.inFlight.size) await this.abandon(deadline);
    const unwritten = await this.batcher.drain(deadline);
    // Results that could not be written in time: their steps run again elsewhere, now rather than after the lease.
    if (unwritten.length) await releaseLeases(sqlOf(this.pool), this.id, unwritten).catch(() => undefined);
    await this.jobs.stop(this.heartbeats);
    await this.claimConnection.close();
  }

  /**
   * What a start in this process may claim for this worker in its own statement (insertExecution):
   * undefined when the worker is not running, has no room, or another start claims for it right
   * now. One at a time: a claim holds its tenant's lock until its commit, and a start commits
   * synchronously, so concurrent starts of one tenant would queue behind each other's WAL flush;
   * the others start as before (NOTIFY, then the claim loop). Every start given a claim must
   * end it with `takeStarted` (with nothing claimed when the start failed).
   */
  startClaim(): StartClaim | undefined {
    if (!this.running || this.startClaiming) return undefined;
    const room = this.config.get('WORKER_CONCURRENCY') + this.config.get('WORKER_PREFETCH') - this.inFlight.size - this.queue.length;
    if (room <= 0) return undefined;
    this.startClaiming = true;
    return {
      workerId: this.id,
      limit: Math.min(room, this.config.get('WORKER_BATCH_SIZE')),
      leaseSeconds: this.config.get('LEASE_SECONDS'),
      tenantMaxRunningSteps: this.config.get('TENANT_MAX_RUNNING_STEPS'),
      inputs: this.inputs,
    };
  }

  /** Steps a start claimed for this worker (`startClaim`): queued and started like any claim. */
  takeStarted(claimed: ClaimedStep[], drained: boolean): void {
    this.startClaiming = false;
    if (!this.running) {
      // Stopped meanwhile (shutdown): they go back at once rather than when their leases expire.
      if (claimed.length) void handBackUnstarted(sqlOf(this.pool), this.id, claimed).catch((e: Error) => this.logger.warn(`steps claimed by a start could not be handed back: ${e.message}`));
      return;
    }
    if (drained) this.backlog = false;
    if (claimed.length) this.enqueue(claimed).then(() => this.dispatch(), (e: Error) => this.logger.warn(`steps claimed by a start could not be queued: ${e.message}`));
  }

  private wake(): void {
    this.backlog = true;
    this.claims?.wake();
  }

  /** One claim: fills the room the handlers and the queue leave. True when it filled it (claim again). */
  private async claimPass(): Promise<boolean> {
    if (!this.running) return false;
    // Let handlers that are finishing finish, so one claim fills all the room they leave.
    await new Promise((r) => setImmediate(r));
    const capacity = this.config.get('WORKER_CONCURRENCY') + this.config.get('WORKER_PREFETCH');
    const room = capacity - this.inFlight.size - this.queue.length;
    if (room <= 0) return false;
    const asked = Math.min(room, this.config.get('WORKER_BATCH_SIZE'));
    const claimed = await claimSteps(await this.claimConnection.sql(), this.id, asked, this.config.get('LEASE_SECONDS'), this.config.get('TENANT_MAX_RUNNING_STEPS'), this.inputs);
    this.backlog = claimed.length >= asked;
    if (claimed.length) await this.enqueue(claimed);
    this.dispatch();
    return claimed.length > 0 && claimed.length >= room;
  }

  /** Claimed steps wait here (their leases renewed) until a handler slot is free. */
  private async enqueue(claims: ClaimedStep[]): Promise<void> {
    const plans = new Map<string, ExecutionPlan>();
    for (const c of claims) {
      const key = `${c.tenantId}:${c.workflowId}@${c.workflowVersion}`;
      if (!plans.has(key)) plans.set(key, await this.plans.plan(c.tenantId, c.workflowId, c.workflowVersion));
    }
    const planOf = (c: ClaimedStep) => plans.get(`${c.tenantId}:${c.workflowId}@${c.workflowVersion}`)!;
    const needRows = claims.filter((c) => planOf(c).readsSteps(c.stepId)).map((c) => c.executionId);
    const rows = needRows.length
      ? (
          await this.pool.query<StepRow & { execution_id: string }>(
            `SELECT execution_id, step_id, status, output FROM step_executions
             WHERE execution_id = ANY($1::uuid[]) AND item_index IS NULL AND status IN ('completed', 'skipped', 'failed')`,
            [[...new Set(needRows)]],
          )
        ).rows
      : [];
    for (const claim of claims) this.queue.push({ claim, plan: planOf(claim), rows: rows.filter((r) => r.execution_id === claim.executionId) });
  }

  /** Starts queued steps while handler slots are free (never during shutdown: those go back). */
  private dispatch(): void {
    const concurrency = this.config.get('WORKER_CONCURRENCY');
    while (this.running && this.inFlight.size < concurrency && this.queue.length) {
      const { claim, plan, rows } = this.queue.shift()!;
      const cancel = new AbortController();
      this.metrics.claimToStart.observe(Math.max(0, Date.now() - new Date(claim.availableAt).getTime()) / 1000);
      const started = process.hrtime.bigint();
      const running: Running = { claim, cancel, done: Promise.resolve() };
      running.done = this.runner
        .run(claim, plan, rows, { cancel, acquireKey: (c, key) => this.acquireKey(c, key) })
        .then(
          (result) => this.finish(running, result, started),
          (error: Error) => {
            // The runner turns handler errors into results; this is a bug in it. The lease expires and the step runs again.
            this.inFlight.delete(running);
            this.logger.error(`step runner failed on ${claim.id}: ${error.message}`);
          },
        );
      this.inFlight.add(running);
    }
  }

  private finish(running: Running, result: StepResult, started: bigint): void {
    this.inFlight.delete(running);
    this.dispatch();
    this.metrics.stepDuration.observe({ type: result.claim.type, outcome: result.kind }, Number(process.hrtime.bigint() - started) / 1e9);
    this.batcher.push(result);
    // A slot is free: a claim pass fills it when the queue may hold more (a step finishing says
    // nothing of the queue: no backlog implied). When the last claim found less than it asked and
    // nothing woke the worker since, the pass would find nothing (this step still counts as running
    // for its tenant's cap until its result is written; the write's eager claim follows that), and
    // it would only compete with the next start for the database.
    if (this.backlog) this.claims?.wake();
  }

  /** Renews the leases of everything this worker holds: queued, running, and results not yet written. */
  private async renew(): Promise<void> {
    const ids = [...new Set([...this.runningIds(), ...this.queue.map((q) => q.claim.id), ...this.batcher.pendingIds()])];
    await heartbeat(sqlOf(this.pool), this.id, ids, this.config.get('LEASE_SECONDS'));
  }

  private runningIds(): string[] {
    return [...this.inFlight].map((f) => f.claim.id);
  }

  private async reap(): Promise<void> {
    await reapExpiredLeases(sqlOf(this.pool));
  }

  /** Shutdown: the prefetched steps that never started go back at once (retried until the deadline). */
  private async handBack(deadline: number): Promise<void> {
    const unstarted = this.queue.splice(0).map((q) => q.claim);
    while (unstarted.length) {
      try {
        const n = await handBackUnstarted(sqlOf(this.pool), this.id, unstarted);
        this.logger.log(`shutdown: handed back ${n} steps that had not started`);
        return;
      } catch (error) {
        if (Date.now() + 500 > deadline) return void this.logger.warn(`shutdown: could not hand back ${unstarted.length} steps (${(error as Error).message}); their leases expire`);
        await sleep(250);
      }
    }
  }

  /** Shutdown: the grace is over; abort what still runs and let another worker take it now. */
  private async abandon(deadline: number): Promise<void> {
    const ids = [...new Set(this.runningIds())];
    // Released first: the aborted handlers' results then find no lease of ours and change nothing.
    for (;;) {
      try {
        const n = await releaseLeases(sqlOf(this.pool), this.id, ids);
        this.logger.warn(`shutdown: grace over, released ${n} running steps for immediate takeover`);
        break;
      } catch (error) {
        if (Date.now() + 250 > deadline) {
          this.logger.warn(`shutdown: could not release ${ids.length} steps (${(error as Error).message}); their leases expire`);
          break;
        }
        await sleep(250);
      }
    }
    for (const { cancel } of this.inFlight) cancel.abort(Object.assign(new Error('worker shutting down'), { code: 'WORKER_SHUTDOWN', retryable: true }));
  }

  private async acquireKey(claim: ClaimedStep, key: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `INSERT INTO concurrency_slots (tenant_id, key, step_execution_id) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO UPDATE SET acquired_at = now() WHERE concurrency_slots.step_execution_id = EXCLUDED.step_execution_id
       RETURNING 1`,
      [claim.tenantId, key, claim.id],
    );
    return rows.length > 0;
  }

  private abortExecution(executionId: string): void {
    for (const { claim, cancel } of this.inFlight) {
      if (claim.executionId === executionId) cancel.abort(Object.assign(new Error('execution cancelled'), { code: 'CANCELLED', retryable: false }));
    }
  }

  /** After the LISTEN connection came back: cancels sent meanwhile were missed, so ask the database. */
  private async catchUpCancels(): Promise<void> {
    const executions = [...new Set([...this.inFlight].map((f) => f.claim.executionId))];
    if (executions.length === 0) return;
    try {
      const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM workflow_executions WHERE id = ANY($1::uuid[]) AND status = 'cancelled'`, [executions]);
      for (const r of rows) this.abortExecution(r.id);
    } catch (error) {
      this.logger.warn(`cancel catch-up failed: ${(error as Error).message}`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
