import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AgentView, GrantAgentPermissionsCommand } from '@cognition/agent/contracts';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { loadAgent } from '../../load-agent';

@CommandHandler(GrantAgentPermissionsCommand)
export class GrantAgentPermissionsCommandHandler implements ICommandHandler<GrantAgentPermissionsCommand, AgentView> {
  constructor(private readonly agents: AgentRepository) {}

  @Transactional()
  async execute({ tenantId, agentId, permissions }: GrantAgentPermissionsCommand): Promise<AgentView> {
    const agent = await loadAgent(this.agents, tenantId, agentId);
    agent.grantPermissions(permissions, new Date());
    // Nothing new granted: nothing to write.
    if (agent.peekEvents().length > 0) await this.agents.update(agent);
    return agent.toView();
  }
}
