import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { FailTaskCommand } from '@cognition/task/contracts';
import { AgentRepository } from '../../domain/agent.repository.port';
import { AgentPool } from '../../infrastructure/agent-pool';

/**
 * The agents' health jobs (SPEC section 5), every AGENT_HEALTH_INTERVAL_MS in each worker process:
 * - an agent holding a task with no progress for AGENT_STUCK_SECONDS is marked stuck (AgentStuck),
 *   its task released for retry (requeued while attempts remain), and the agent recovered to idle
 *   (AgentRecovered);
 * - idle agents beyond AGENT_POOL_MIN per definition, idle for AGENT_IDLE_TIMEOUT_SECONDS, are
 *   terminated (AgentTerminated).
 * Several processes may run it at once: every change is optimistic, a lost race is skipped. It runs
 * as a platform background loop: a failed pass (database away) is logged and retried with backoff.
 */
@Injectable()
export class AgentHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop?: BackgroundLoop;
  private checking?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    private readonly pool: AgentPool,
    private readonly agents: AgentRepository,
    private readonly commands: CommandBus,
    private readonly jobs: BackgroundJobs,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('WORKER_ENABLED') || !this.config.get('AGENT_WORKER_ENABLED')) return;
    this.loop = this.jobs.start({ name: 'agent.health', everyMs: this.config.get('AGENT_HEALTH_INTERVAL_MS'), run: async () => void (await this.check()) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.stop(this.loop);
    await this.checking?.catch(() => undefined);
  }

  /** One pass of both jobs; returns how many agents each touched. Rejects when the pass failed. */
  async check(): Promise<{ stuck: number; terminated: number }> {
    if (this.checking) return { stuck: 0, terminated: 0 };
    const result = { stuck: 0, terminated: 0 };
    this.checking = (async () => {
      const stuckSeconds = this.config.get('AGENT_STUCK_SECONDS');
      for (const a of await this.pool.stuckAgents(stuckSeconds)) if (await this.skipLostRace(() => this.releaseStuck(a.tenantId, a.id, stuckSeconds))) result.stuck++;
      const idle = await this.pool.expiredIdleAgents(this.config.get('AGENT_POOL_MIN'), this.config.get('AGENT_IDLE_TIMEOUT_SECONDS'));
      for (const a of idle) if (await this.skipLostRace(() => this.terminateIdle(a.tenantId, a.id))) result.terminated++;
    })().finally(() => (this.checking = undefined));
    await this.checking;
    return result;
  }

  @Transactional()
  private async releaseStuck(tenantId: string, agentId: string, stuckSeconds: number): Promise<void> {
    const agent = await this.agents.findById(tenantId, agentId);
    if (!agent?.currentTaskId) return;
    const taskId = agent.currentTaskId;
    const now = new Date();
    const inactive = agent.lastActiveAt ? Math.round((now.getTime() - new Date(agent.lastActiveAt).getTime()) / 1000) : stuckSeconds;
    if (agent.status !== 'failed') agent.markStuck(inactive, now);
    agent.recover(now);
    await this.agents.update(agent);
    await this.commands
      .execute(new FailTaskCommand(tenantId, taskId, null, { code: 'AGENT_STUCK', message: `agent ${agentId} made no progress for ${inactive} s` }, 'requeue', { reason: 'stuck' }))
      .catch((error: unknown) => {
        // Already finished or cancelled: nothing to release.
        if (!(error instanceof DomainError)) throw error;
      });
  }

  @Transactional()
  private async terminateIdle(tenantId: string, agentId: string): Promise<void> {
    const agent = await this.agents.findById(tenantId, agentId);
    if (!agent || agent.status !== 'idle') return;
    agent.terminate('idle timeout', new Date());
    await this.agents.update(agent);
  }

  private async skipLostRace(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  }
}
