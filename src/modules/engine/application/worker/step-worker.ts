import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../../config/app-config';
import { pgClientConfig } from '../../../../platform/database/pg-connection';
import { ExecutionPlan } from '../../domain/execution-plan';
import { StepRow } from '../../domain/step-context';
import { CANCEL_CHANNEL } from '../../infrastructure/execution-control';
import { STEPS_CHANNEL } from '../../infrastructure/execution-starter';
import { Sql, sqlOf } from '../../infrastructure/sql';
import { claimSteps, ClaimedStep, heartbeat, reapExpiredLeases } from '../../infrastructure/step-claims';
import { StepResult } from '../../infrastructure/step-result';
import { EngineMetrics } from '../engine-metrics';
import { WorkflowPlans } from '../workflow-plans';
import { ResultBatcher } from './result-batcher';
import { StepRunner } from './step-runner';

/**
 * A worker: claims runnable steps in batches (FOR UPDATE SKIP LOCKED, with a lease) into a small
 * local queue (WORKER_PREFETCH beyond the handler slots), runs up to WORKER_CONCURRENCY handlers at
 * once, and hands results to the batcher, which writes many in one
 * transaction. Wakes on LISTEN/NOTIFY, polls every WORKER_POLL_MS as a fallback, renews the leases
 * of long steps, and returns to pending the steps of workers that died.
 */
@Injectable()
export class StepWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(StepWorker.name);
  private readonly inFlight = new Map<string, { claim: ClaimedStep; cancel: AbortController }>();
  private readonly queue: { claim: ClaimedStep; plan: ExecutionPlan; rows: StepRow[] }[] = [];
  private listener?: Client;
  private claimClient?: Client;
  private running = false;
  private loopDone?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private timers: NodeJS.Timeout[] = [];
  private batcher!: ResultBatcher;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly plans: WorkflowPlans,
    private readonly runner: StepRunner,
    private readonly metrics: EngineMetrics,
  ) {}

  private get pool(): Pool {
    return (this.db.driver as unknown as { master: Pool }).master;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.get('WORKER_ENABLED')) await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const capacity = this.config.get('WORKER_CONCURRENCY') + this.config.get('WORKER_PREFETCH');
    this.batcher = new ResultBatcher(
      this.pool,
      this.id,
      this.metrics,
      (notify, claimed) => {
        if (claimed.length) void this.enqueue(claimed).then(() => this.dispatch());
        if (notify) this.wake();
      },
      () => ({ limit: this.running ? capacity - this.inFlight.size - this.queue.length : 0, leaseSeconds: this.config.get('LEASE_SECONDS') }),
    );
    await this.listen();
    const lease = this.config.get('LEASE_SECONDS');
    const poll = this.config.get('WORKER_POLL_MS');
    this.every(poll, () => this.wake());
    this.every(Math.max(poll, 1000), () => this.reap());
    this.every((lease * 1000) / 3, () => heartbeat(sqlOf(this.pool), this.id, [...this.inFlight.keys(), ...this.queue.map((q) => q.claim.id)], lease));
    this.loopDone = this.loop();
  }

  /** Stops claiming, lets running handlers finish and their results be written. */
  async stop(): Promise<void> {
    if (!this.running) return;

    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.wake();
    await this.loopDone;
    while (this.inFlight.size || this.queue.length) {
      this.dispatch();
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.batcher.drain();
    await this.listener?.end().catch(() => undefined);
    await this.claimClient?.end().catch(() => undefined);
    this.claimClient = undefined;
  }

  private every(ms: number, fn: () => unknown): void {
    const timer = setInterval(() => void Promise.resolve(fn()).catch((e: Error) => this.logger.warn(e.message)), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async listen(): Promise<void> {
    const client = new Client(pgClientConfig(this.config.all));
    client.on('notification', (n) => {
      if (n.channel === CANCEL_CHANNEL) this.abortExecution(n.payload ?? '');
      else this.wake();
    });
    client.on('error', (e) => {
      this.logger.warn(`worker listener lost: ${e.message}`);
      if (this.running) setTimeout(() => void this.listen().catch(() => undefined), 1000);
    });
    await client.connect();
    await client.query(`LISTEN ${STEPS_CHANNEL}`);
    await client.query(`LISTEN ${CANCEL_CHANNEL}`);
    this.listener = client;
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async sleep(): Promise<void> {
    if (this.woken) return;
    await new Promise<void>((resolve) => (this.wakeUp = resolve));
    this.wakeUp = undefined;
  }

  private async loop(): Promise<void> {
    const concurrency = this.config.get('WORKER_CONCURRENCY');
    const capacity = concurrency + this.config.get('WORKER_PREFETCH');
    const batch = this.config.get('WORKER_BATCH_SIZE');
    const lease = this.config.get('LEASE_SECONDS');
    while (this.running) {
      this.woken = false;
      // Let handlers that are finishing finish, so one claim fills all the room they leave.
      await new Promise((r) => setImmediate(r));
      const room = capacity - this.inFlight.size - this.queue.length;
      let claimed: ClaimedStep[] = [];
      if (room > 0) {
        try {
          claimed = await claimSteps(await this.claimSql(), this.id, Math.min(room, batch), lease);
        } catch (e) {
          this.logger.warn(`claim failed: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      if (claimed.length) await this.enqueue(claimed);
      this.dispatch();
      if (claimed.length === 0 || claimed.length >= room) await this.sleep();
    }
  }

  /** Claimed steps wait here (their leases renewed) until a handler slot is free. */
  /**
   * Claims go through one connection of their own with synchronous_commit off: a claim lost in a
   * database crash only makes its steps claimable again (at-least-once holds), and the claim loop
   * does not wait for a WAL flush. Completions stay synchronous.
   */
  private async claimSql(): Promise<Sql> {
    if (!this.claimClient) {
      const client = new Client({ ...pgClientConfig(this.config.all), application_name: 'cognition-os-claims' });
      client.on('error', () => (this.claimClient = undefined));
      await client.connect();
      await client.query(`SET synchronous_commit TO off`);
      this.claimClient = client;
    }
    return sqlOf(this.claimClient as never);
  }

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

  /** Starts queued steps while handler slots are free. */
  private dispatch(): void {
    const concurrency = this.config.get('WORKER_CONCURRENCY');
    while (this.inFlight.size < concurrency && this.queue.length) {
      const { claim, plan, rows } = this.queue.shift()!;
      const cancel = new AbortController();
      this.inFlight.set(claim.id, { claim, cancel });
      this.metrics.claimToStart.observe(Math.max(0, Date.now() - new Date(claim.availableAt).getTime()) / 1000);
      const started = process.hrtime.bigint();
      void this.runner
        .run(claim, plan, rows, { cancel: cancel.signal, acquireKey: (c, key) => this.acquireKey(c, key) })
        .then((result) => this.finish(result, started));
    }
  }

  private finish(result: StepResult, started: bigint): void {
    this.inFlight.delete(result.claim.id);
    this.dispatch();
    this.metrics.stepDuration.observe({ type: result.claim.type, outcome: result.kind }, Number(process.hrtime.bigint() - started) / 1e9);
    this.batcher.push(result);
    this.wake();
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
    for (const { claim, cancel } of this.inFlight.values()) {
      if (claim.executionId === executionId) cancel.abort(Object.assign(new Error('execution cancelled'), { code: 'CANCELLED', retryable: false }));
    }
  }

  private async reap(): Promise<void> {
    await reapExpiredLeases(sqlOf(this.pool));
  }
}
