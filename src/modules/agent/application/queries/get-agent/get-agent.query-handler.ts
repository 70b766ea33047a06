import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AgentView, GetAgentQuery } from '@cognition/agent/contracts';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { loadAgent } from '../../load-agent';

@QueryHandler(GetAgentQuery)
export class GetAgentQueryHandler implements IQueryHandler<GetAgentQuery, AgentView> {
  constructor(private readonly agents: AgentRepository) {}

  async execute({ tenantId, agentId }: GetAgentQuery): Promise<AgentView> {
    return (await loadAgent(this.agents, tenantId, agentId)).toView();
  }
}
