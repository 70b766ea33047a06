import type { UsageRecording } from '@cognition/agent/contracts/agent.commands';
import { AgentApproachingBudgetLimit, AgentBudgetExceeded } from '@cognition/agent/contracts/agent.events';
import type { AgentUsageView, UsageEntryView } from '@cognition/agent/contracts/agent.types';
import { BUDGET_WARNING_RATIO, limitPassedBy, round, usageRatio } from '@cognition/agent/domain/budget';
import { AgentUsageLedger, type UsageOutcome } from '@cognition/agent/domain/agent-usage-ledger.port';
import { deltaOf } from '@cognition/agent/domain/usage-recording';
import type { DomainEvent } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import type { InMemoryAgentRepository } from './in-memory-agent.repository';

/** The usage ledger over InMemoryAgentRepository's rows (single-threaded, so trivially atomic). */
export class InMemoryAgentUsageLedger extends AgentUsageLedger {
  readonly publishedEvents: DomainEvent[] = [];
  readonly entries: UsageEntryView[] = [];

  constructor(private readonly agents: InMemoryAgentRepository) {
    super();
  }

  async record(tenantId: string, agentId: string, usage: Required<UsageRecording>): Promise<UsageOutcome> {
    const row = this.agents.rows.get(agentId);
    if (!row || row.tenantId !== tenantId) return { kind: 'not_found' };
    if (row.status === 'terminated') return { kind: 'terminated' };
    const delta = deltaOf(usage);
    const limit = limitPassedBy(row.budgetUsage, row.budgetLimits, delta);
    if (limit) {
      this.publishedEvents.push(
        new AgentBudgetExceeded(tenantId, agentId, {
          agentId,
          taskId: usage.taskId,
          runId: usage.runId,
          limit,
          refused: { tokens: delta.tokens, costUsd: delta.costUsd, timeSeconds: delta.timeSeconds, toolExecutions: delta.toolExecutions },
          usage: { ...row.budgetUsage },
        }),
      );
      return { kind: 'refused', limit, usage: { ...row.budgetUsage }, limits: { ...row.budgetLimits } };
    }
    const u = row.budgetUsage;
    row.budgetUsage = {
      tokensUsed: u.tokensUsed + delta.tokens,
      costUsd: round(u.costUsd + delta.costUsd, 6),
      timeSeconds: round(u.timeSeconds + delta.timeSeconds, 3),
      toolExecutions: u.toolExecutions + delta.toolExecutions,
    };
    const warned = !row.budgetWarnedAt && usageRatio(row.budgetUsage, row.budgetLimits) >= BUDGET_WARNING_RATIO;
    if (warned) {
      row.budgetWarnedAt = new Date();
      this.publishedEvents.push(new AgentApproachingBudgetLimit(tenantId, agentId, { agentId, usage: { ...row.budgetUsage }, ratio: usageRatio(row.budgetUsage, row.budgetLimits) }));
    }
    const entry: UsageEntryView = { id: newId(), agentId, ...usage, createdAt: new Date().toISOString() };
    this.entries.push(entry);
    return { kind: 'accepted', entryId: entry.id, usage: { ...row.budgetUsage }, limits: { ...row.budgetLimits }, warned };
  }

  async usageOf(tenantId: string, agentId: string, limit: number): Promise<AgentUsageView | null> {
    const row = this.agents.rows.get(agentId);
    if (!row || row.tenantId !== tenantId) return null;
    const mine = this.entries.filter((e) => e.agentId === agentId);
    const sum = (f: (e: UsageEntryView) => number) => mine.reduce((total, e) => total + f(e), 0);
    return {
      agentId,
      budgetLimits: { ...row.budgetLimits },
      budgetUsage: { ...row.budgetUsage },
      ledgerTotals: {
        tokensIn: sum((e) => e.tokensIn),
        tokensOut: sum((e) => e.tokensOut),
        costUsd: sum((e) => e.costUsd),
        durationMs: sum((e) => e.durationMs),
        modelCalls: mine.filter((e) => e.kind === 'model_call').length,
        toolCalls: mine.filter((e) => e.kind === 'tool_call').length,
      },
      entries: [...mine].reverse().slice(0, limit),
    };
  }
}
