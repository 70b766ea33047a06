import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { BudgetUsage, RecordAgentUsageCommand } from '@cognition/agent/contracts';
import { round } from '@cognition/agent/domain/budget';
import { AgentUsageLedger, UsageOutcome } from '@cognition/agent/domain/agent-usage-ledger.port';
import { readUsageRecording } from '@cognition/agent/domain/usage-recording';

const LIMIT_LABEL = { tokens: 'maxTokens', cost: 'maxCostUsd', time: 'maxTimeSeconds', toolExecutions: 'maxToolExecutions' } as const;

/**
 * Records a model or tool call against the agent's budget. A refusal writes AgentBudgetExceeded
 * and commits it, then throws BUDGET_EXCEEDED (the transaction must not roll the event back).
 * Send it outside a transaction: inside one, the caller's rollback would also drop that event.
 */
@CommandHandler(RecordAgentUsageCommand)
export class RecordAgentUsageCommandHandler implements ICommandHandler<RecordAgentUsageCommand, { entryId: string; usage: BudgetUsage }> {
  constructor(private readonly ledger: AgentUsageLedger) {}

  async execute(command: RecordAgentUsageCommand): Promise<{ entryId: string; usage: BudgetUsage }> {
    const usage = readUsageRecording(command.usage);
    const outcome = await this.recordInTransaction(command.tenantId, command.agentId, usage);
    switch (outcome.kind) {
      case 'accepted':
        return { entryId: outcome.entryId, usage: outcome.usage };
      case 'not_found':
        throw new DomainError('AGENT_NOT_FOUND', `Agent ${command.agentId} not found`);
      case 'terminated':
        throw new DomainError('AGENT_TERMINATED', `Agent ${command.agentId} is terminated`);
      case 'refused': {
        const { limit, usage: current, limits } = outcome;
        const key = LIMIT_LABEL[limit];
        const used = { tokens: current.tokensUsed, cost: current.costUsd, time: current.timeSeconds, toolExecutions: current.toolExecutions }[limit];
        throw new DomainError('BUDGET_EXCEEDED', `Agent ${command.agentId}: this ${usage.kind.replace('_', ' ')} would pass its ${key} budget (${round(used, 6)} of ${limits[key]} used); nothing was recorded`, [
          { path: `budgetLimits.${key}`, code: 'BUDGET_EXCEEDED', message: `${round(used, 6)} of ${limits[key]} used` },
        ]);
      }
    }
  }

  @Transactional()
  private recordInTransaction(tenantId: string, agentId: string, usage: ReturnType<typeof readUsageRecording>): Promise<UsageOutcome> {
    return this.ledger.record(tenantId, agentId, usage);
  }
}
