import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../../../../config/app-config';
import { pgClientConfig } from '../../../../platform/database/pg-connection';
import { TASKS_CHANNEL } from '../../../task/contracts';
import { AgentRunner } from '../run/agent-runner';
import { TaskDispatcher } from './task-dispatcher';


/**
 * Claims tasks for agents and runs them, up to AGENT_WORKER_CONCURRENCY at once. Woken by
 * LISTEN/NOTIFY on `cognitionos_tasks` (sent when a task becomes pending) and when a run ends; polls
 * every AGENT_POLL_MS as a fallback. Runs in the API process and in `start:worker`
 * (WORKER_ENABLED and AGENT_WORKER_ENABLED).
 */
@Injectable()
export class AgentWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AgentWorker.name);
  private readonly runs = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private listener?: Client;
  private running = false;
  private loopDone?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: TaskDispatcher,
    private readonly runner: AgentRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.get('WORKER_ENABLED') && this.config.get('AGENT_WORKER_ENABLED')) await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.config.get('AGENT_POLL_MS'));
    this.timer.unref();
    this.loopDone = this.loop();
  }

  /** Stops claiming and aborts runs in progress (the health job releases their tasks later). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.wake();
    await this.loopDone;
    this.abort.abort(new Error('agent worker stopping'));
    await Promise.allSettled(this.runs.values());
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client(pgClientConfig(this.config.all));
    client.on('notification', () => this.wake());
    client.on('error', (e) => {
      this.logger.warn(`agent worker listener lost: ${e.message}`);
      if (this.running) setTimeout(() => void this.listen().catch(() => undefined), 1000);
    });
    await client.connect();
    await client.query(`LISTEN ${TASKS_CHANNEL}`);
    this.listener = client;
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      const slots = this.config.get('AGENT_WORKER_CONCURRENCY') - this.runs.size;
      let claimed = 0;
      if (slots > 0) {
        try {
          const assignments = await this.dispatcher.dispatch(slots);
          claimed = assignments.length;
          for (const a of assignments) this.track(a.taskId, this.runner.run(a.tenantId, a.agentId, a.taskId, this.abort.signal));
        } catch (error) {
          this.logger.warn(`task dispatch failed: ${(error as Error).message}`);
        }
      }
      // Claimed a full batch: there may be more. Otherwise sleep until woken.
      if (claimed > 0 && claimed === slots) continue;
      if (!this.woken && this.running) await new Promise<void>((resolve) => (this.wakeUp = resolve));
      this.wakeUp = undefined;
    }
  }

  private track(taskId: string, run: Promise<void>): void {
    this.runs.set(taskId, run);
    void run.finally(() => {
      this.runs.delete(taskId);
      this.wake();
    });
  }
}
