import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CronExpressionParser } from 'cron-parser';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { ListScheduledWorkflowsQuery, ScheduledWorkflow } from '@cognition/workflow/contracts';
import { StartExecutionCommand } from '../contracts';
import { EventRows } from '../infrastructure/event-rows';
import { sqlOfManager } from '../infrastructure/sql';
import { Clock } from './clock';

/**
 * Starts active workflows with a cron `schedule`. Every instance runs this loop; a tick is claimed
 * by inserting (tenant, workflow, tick time) into `schedule_ticks` in the same transaction as the
 * start, so each tick starts exactly one execution across all instances. Only the latest tick
 * before now is considered, so after downtime there is at most one catch-up run. The loop is a
 * platform background loop: a failed tick (database away) is logged and retried with backoff.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Scheduler.name);
  private loop?: BackgroundLoop;
  private running?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    private readonly txHost: TransactionHost,
    private readonly clock: Clock,
    private readonly jobs: BackgroundJobs,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('SCHEDULER_ENABLED')) return;
    this.loop = this.jobs.start({ name: 'engine.scheduler', everyMs: this.config.get('SCHEDULER_INTERVAL_MS'), run: async () => void (await this.tick()) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.stop(this.loop);
    await this.running?.catch(() => undefined);
  }

  /** One pass over the schedules; returns the executions it started. */
  async tick(): Promise<string[]> {
    if (this.running) return [];
    const started: string[] = [];
    this.running = (async () => {
      const now = this.clock.now();
      for (const s of await this.queries.execute(new ListScheduledWorkflowsQuery())) {
        const tickAt = this.latestTick(s, now);
        if (!tickAt || tickAt < s.activeSince) continue;
        try {
          const id = await this.trigger(s, tickAt);
          if (id) started.push(id);
        } catch (error) {
          this.logger.warn(`schedule of ${s.workflowId}@${s.version} at ${tickAt.toISOString()} failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => (this.running = undefined));
    await this.running;
    return started;
  }

  private latestTick(s: ScheduledWorkflow, now: Date): Date | null {
    try {
      return CronExpressionParser.parse(s.schedule.cron, { currentDate: now, tz: s.schedule.timezone }).prev().toDate();
    } catch {
      return null;
    }
  }

  private trigger(s: ScheduledWorkflow, tickAt: Date): Promise<string | null> {
    const host = this.txHost as unknown as Tx;
    return host.withTransaction(async () => {
      const sql = sqlOfManager(host.tx);
      const claimed = await sql(
        `INSERT INTO schedule_ticks (tenant_id, workflow_id, tick_at, workflow_version) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING tick_at`,
        [s.tenantId, s.workflowId, tickAt, s.version],
      );
      if (claimed.length === 0) return null;
      const execution = await this.commands.execute(new StartExecutionCommand(s.tenantId, s.workflowId, s.version, {}, { triggeredBy: 'schedule' }));
      await sql(`UPDATE schedule_ticks SET execution_id = $4 WHERE tenant_id = $1 AND workflow_id = $2 AND tick_at = $3`, [s.tenantId, s.workflowId, tickAt, execution.id]);
      const events = new EventRows();
      events.add(s.tenantId, 'ScheduledWorkflowTriggered', `${s.workflowId}@${s.version}`, {
        workflowId: s.workflowId,
        workflowVersion: s.version,
        tickAt: tickAt.toISOString(),
        executionId: execution.id,
      });
      await events.flush(sql, 'Workflow');
      return execution.id;
    });
  }
}
