import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AgentDefinitionView, GetAgentDefinitionQuery } from '@cognition/agent/contracts';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
import { loadDefinition } from '../../load-agent';

@QueryHandler(GetAgentDefinitionQuery)
export class GetAgentDefinitionQueryHandler implements IQueryHandler<GetAgentDefinitionQuery, AgentDefinitionView> {
  constructor(private readonly definitions: AgentDefinitionRepository) {}

  async execute({ tenantId, definitionId }: GetAgentDefinitionQuery): Promise<AgentDefinitionView> {
    return (await loadDefinition(this.definitions, tenantId, definitionId)).toView();
  }
}
