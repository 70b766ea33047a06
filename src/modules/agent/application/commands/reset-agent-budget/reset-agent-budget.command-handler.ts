import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AgentView, ResetAgentBudgetCommand } from '@cognition/agent/contracts';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { loadAgent } from '../../load-agent';

/** Usage back to zero (the ledger keeps its rows), limits optionally changed, the 80% warning re-armed. */
@CommandHandler(ResetAgentBudgetCommand)
export class ResetAgentBudgetCommandHandler implements ICommandHandler<ResetAgentBudgetCommand, AgentView> {
  constructor(private readonly agents: AgentRepository) {}

  @Transactional()
  async execute({ tenantId, agentId, limits }: ResetAgentBudgetCommand): Promise<AgentView> {
    const agent = await loadAgent(this.agents, tenantId, agentId, true);
    agent.resetBudget(limits, new Date());
    await this.agents.update(agent);
    return agent.toView();
  }
}
