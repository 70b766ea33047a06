import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AgentView, RevokeAgentPermissionCommand } from '@cognition/agent/contracts';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { loadAgent } from '../../load-agent';

@CommandHandler(RevokeAgentPermissionCommand)
export class RevokeAgentPermissionCommandHandler implements ICommandHandler<RevokeAgentPermissionCommand, AgentView> {
  constructor(private readonly agents: AgentRepository) {}

  @Transactional()
  async execute({ tenantId, agentId, permission }: RevokeAgentPermissionCommand): Promise<AgentView> {
    const agent = await loadAgent(this.agents, tenantId, agentId);
    agent.revokePermission(permission, new Date());
    // Not held: nothing to write.
    if (agent.peekEvents().length > 0) await this.agents.update(agent);
    return agent.toView();
  }
}
