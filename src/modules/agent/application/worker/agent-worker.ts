import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { PgListener } from '@cognition/platform/database/pg-listener';
import { finishBy, waitForPending } from '@cognition/platform/lifecycle/drain';
import { TASKS_CHANNEL } from '@cognition/task/contracts';
import { AgentRunner } from '../run/agent-runner';
import { TaskDispatcher } from './task-dispatcher';

/**
 * Claims tasks for agents and runs them, up to AGENT_WORKER_CONCURRENCY at once. Woken through the
 * shared LISTEN connection on `cognitionos_tasks` (sent when a task becomes pending) and when a run
 * ends; polls every AGENT_POLL_MS as a fallback (a platform background loop, so a database outage
 * only pauses it). Runs in the API process and in `start:worker` (WORKER_ENABLED and
 * AGENT_WORKER_ENABLED).
 *
 * Shutdown: stop claiming; runs in progress may finish within SHUTDOWN_GRACE_SECONDS; then they are
 * aborted and each releases its task back to the queue (and its agent to idle).
 */
@Injectable()
export class AgentWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly runs = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private running = false;
  private loop?: BackgroundLoop;
  private readonly channel = { notify: () => this.loop?.wake(), caughtUp: () => this.loop?.wake() };

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: TaskDispatcher,
    private readonly runner: AgentRunner,
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('WORKER_ENABLED') && this.config.get('AGENT_WORKER_ENABLED')) this.start();
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
    this.listener.subscribe(TASKS_CHANNEL, this.channel);
    this.loop = this.jobs.start({ name: 'agent.task-dispatch', everyMs: this.config.get('AGENT_POLL_MS'), run: () => this.dispatchPass() });
  }

  /** The shutdown sequence in the class comment. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.listener.unsubscribe(TASKS_CHANNEL, this.channel);
    await this.jobs.stop(this.loop);
    await waitForPending(() => [...this.runs.values()], finishBy(Date.now(), this.config.get('SHUTDOWN_GRACE_SECONDS')));
    this.abort.abort(new Error('agent worker stopping'));
    await Promise.allSettled(this.runs.values());
  }

  /** One dispatch: claims as many tasks as there are free slots. True when it filled them (claim again). */
  private async dispatchPass(): Promise<boolean> {
    if (!this.running) return false;
    const slots = this.config.get('AGENT_WORKER_CONCURRENCY') - this.runs.size;
    if (slots <= 0) return false;
    const assignments = await this.dispatcher.dispatch(slots);
    for (const a of assignments) this.track(a.taskId, this.runner.run(a.tenantId, a.agentId, a.taskId, this.abort.signal));
    return assignments.length > 0 && assignments.length === slots;
  }

  private track(taskId: string, run: Promise<void>): void {
    this.runs.set(taskId, run);
    void run.catch(() => undefined).finally(() => {
      this.runs.delete(taskId);
      this.loop?.wake();
    });
  }
}
