import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CompleteTaskCommand, FailTaskCommand, StartTaskCommand, TaskError, TaskFailureDisposition, TaskView } from '@cognition/task/contracts';
import { AgentBudgetExceeded, AgentModelCalled, AgentToolExecuted, AgentToolFailed, AgentView, BudgetUsage, RecordAgentUsageCommand, UsageRecording } from '../../contracts';
import { Agent } from '../../domain/agent.aggregate';
import { AgentRepository } from '../../domain/agent.repository.port';

export interface RunRef {
  tenantId: string;
  agentId: string;
  taskId: string;
  runId: string;
}

export type Recorded = { ok: true; entryId: string; usage: BudgetUsage } | { ok: false; error: DomainError };

/**
 * Every state change of an agent run, each one transaction: the agent's transition and the task's
 * (through the task module's commands, which join the transaction) commit together with their
 * events, and a model or tool call's ledger row commits with its event.
 */
@Injectable()
export class AgentRunSteps {
  constructor(
    private readonly agents: AgentRepository,
    private readonly commands: CommandBus,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Loads the agent, applies `change`, saves it. */
  @Transactional()
  async transition(tenantId: string, agentId: string, change: (agent: Agent, now: Date) => void): Promise<AgentView> {
    const agent = await this.load(tenantId, agentId);
    change(agent, new Date());
    await this.agents.update(agent);
    return agent.toView();
  }

  /** assigned → reasoning (first iteration) and the task assigned → in_progress. */
  @Transactional()
  async begin(run: RunRef): Promise<{ agent: AgentView; task: TaskView }> {
    const task = await this.commands.execute(new StartTaskCommand(run.tenantId, run.taskId, run.agentId));
    const agent = await this.transition(run.tenantId, run.agentId, (a, now) => a.startReasoning(run.runId, 1, now, a.modelConfig.model, a.modelConfig.provider));
    return { agent, task };
  }

  /** The agent completes (→ idle) and the task completes with the output. */
  @Transactional()
  async complete(run: RunRef, output: unknown, durationMs: number): Promise<void> {
    await this.commands.execute(new CompleteTaskCommand(run.tenantId, run.taskId, run.agentId, output));
    await this.transition(run.tenantId, run.agentId, (a, now) => a.completeTask(run.runId, durationMs, now));
  }

  /**
   * The agent fails the run; the task's attempt ends with `disposition`. When the task comes back
   * assigned to this agent (`reassign` with attempts left), the agent retries as run `nextRunId`;
   * otherwise it becomes idle. Returns the task as it is now.
   */
  @Transactional()
  async fail(run: RunRef, error: TaskError, durationMs: number, disposition: TaskFailureDisposition, next: { runId: string; useFallbackModel: boolean } | null): Promise<TaskView> {
    const agent = await this.load(run.tenantId, run.agentId);
    const now = new Date();
    agent.failTask(run.runId, { code: error.code, message: error.message }, durationMs, now);
    const task = await this.commands.execute(
      new FailTaskCommand(run.tenantId, run.taskId, run.agentId, error, disposition, { excludeAgent: disposition === 'requeue', reason: disposition === 'requeue' ? 'escalated' : 'retry' }),
    );
    const retrying = next && task.status === 'assigned' && task.assignedAgentId === run.agentId;
    if (retrying) agent.retry(next.runId, run.runId, task.attempt, next.useFallbackModel, now);
    else agent.becomeIdle(now);
    await this.agents.update(agent);
    return retrying ? this.commands.execute(new StartTaskCommand(run.tenantId, run.taskId, run.agentId)) : task;
  }

  /**
   * The worker is shutting down and its grace ran out: the task goes back to the queue at once (the
   * interrupted run counts as an attempt, as after a crash) and the agent to idle, instead of
   * both waiting for stuck detection.
   */
  @Transactional()
  async release(run: RunRef, error: TaskError, durationMs: number): Promise<void> {
    if (await this.freeAgent(run, error, durationMs)) {
      await this.commands.execute(new FailTaskCommand(run.tenantId, run.taskId, run.agentId, error, 'requeue', { reason: 'retry' }));
    }
  }

  /** The run stopped because the task was cancelled (or taken away): the agent goes back to idle. */
  @Transactional()
  async abandon(run: RunRef, error: TaskError, durationMs: number): Promise<void> {
    await this.freeAgent(run, error, durationMs);
  }

  /** The agent records the run's failure and goes idle; false when it no longer holds the task. */
  private async freeAgent(run: RunRef, error: TaskError, durationMs: number): Promise<boolean> {
    const agent = await this.load(run.tenantId, run.agentId);
    if (agent.currentTaskId !== run.taskId || agent.status === 'terminated') return false;
    const now = new Date();
    if (agent.status !== 'failed') agent.failTask(run.runId, { code: error.code, message: error.message }, durationMs, now);
    agent.becomeIdle(now);
    await this.agents.update(agent);
    return true;
  }

  /**
   * Records a model call in the ledger (refused atomically past a limit) with its AgentModelCalled
   * event. A refusal commits its AgentBudgetExceeded event and comes back as `{ok: false}`.
   */
  @Transactional()
  async recordModelCall(run: RunRef, usage: UsageRecording, call: { startedAt: Date; finishReason: string }): Promise<Recorded> {
    const recorded = await this.record(run, usage);
    if (recorded.ok) {
      await this.outbox.append([
        new AgentModelCalled(run.tenantId, run.agentId, {
          agentId: run.agentId,
          taskId: run.taskId,
          runId: run.runId,
          callId: recorded.entryId,
          provider: usage.provider ?? '',
          model: usage.name,
          tokensIn: usage.tokensIn,
          tokensOut: usage.tokensOut,
          costUsd: usage.costUsd,
          startedAt: call.startedAt.toISOString(),
          durationMs: usage.durationMs,
          finishReason: call.finishReason,
        }),
      ]);
    }
    return recorded;
  }

  /** Records a tool call (succeeded or failed) with its AgentToolExecuted / AgentToolFailed event. */
  @Transactional()
  async recordToolCall(run: RunRef, tool: string, args: unknown, startedAt: Date, durationMs: number, outcome: { result: unknown } | { error: { code: string; message: string } }): Promise<Recorded> {
    const failed = 'error' in outcome;
    const recorded = await this.record(run, {
      kind: 'tool_call',
      name: tool,
      taskId: run.taskId,
      runId: run.runId,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0,
      durationMs,
      status: failed ? 'failed' : 'succeeded',
      error: failed ? outcome.error : null,
    });
    if (recorded.ok) {
      const base = { agentId: run.agentId, taskId: run.taskId, runId: run.runId, callId: recorded.entryId, tool, arguments: args, startedAt: startedAt.toISOString(), durationMs };
      await this.outbox.append([
        failed ? new AgentToolFailed(run.tenantId, run.agentId, { ...base, error: outcome.error }) : new AgentToolExecuted(run.tenantId, run.agentId, { ...base, result: outcome.result }),
      ]);
    }
    return recorded;
  }

  /** A call refused before it was made (no budget left): the event says which limit. */
  @Transactional()
  async refuseBeforeCall(run: RunRef, agent: AgentView, limit: 'tokens' | 'cost' | 'time' | 'toolExecutions'): Promise<void> {
    await this.outbox.append([
      new AgentBudgetExceeded(run.tenantId, run.agentId, {
        agentId: run.agentId,
        taskId: run.taskId,
        runId: run.runId,
        limit,
        refused: { tokens: 0, costUsd: 0, timeSeconds: 0, toolExecutions: limit === 'toolExecutions' ? 1 : 0 },
        usage: agent.budgetUsage,
      }),
    ]);
  }

  private async record(run: RunRef, usage: UsageRecording): Promise<Recorded> {
    try {
      const result = await this.commands.execute(new RecordAgentUsageCommand(run.tenantId, run.agentId, { ...usage, taskId: run.taskId, runId: run.runId }));
      return { ok: true, ...result };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'BUDGET_EXCEEDED') return { ok: false, error };
      throw error;
    }
  }

  private async load(tenantId: string, agentId: string): Promise<Agent> {
    const agent = await this.agents.findById(tenantId, agentId);
    if (!agent) throw new DomainError('AGENT_NOT_FOUND', `Agent ${agentId} not found`);
    return agent;
  }
}
