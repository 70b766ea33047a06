import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { DeleteAgentDefinitionCommand } from '@cognition/agent/contracts';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { loadDefinition } from '../../load-agent';

@CommandHandler(DeleteAgentDefinitionCommand)
export class DeleteAgentDefinitionCommandHandler implements ICommandHandler<DeleteAgentDefinitionCommand, void> {
  constructor(
    private readonly definitions: AgentDefinitionRepository,
    private readonly agents: AgentRepository,
  ) {}

  @Transactional()
  async execute({ tenantId, definitionId }: DeleteAgentDefinitionCommand): Promise<void> {
    // Locked first: an instantiation holds a share lock on the definition, so it either committed
    // (and is counted below) or will find the definition gone.
    const definition = await loadDefinition(this.definitions, tenantId, definitionId, 'update');
    const live = await this.agents.countLiveByDefinition(tenantId, definitionId);
    if (live > 0) {
      throw new DomainError('AGENT_DEFINITION_IN_USE', `Agent definition ${definitionId} has ${live} agent(s) that are not terminated; terminate them first`);
    }
    definition.markDeleted(new Date());
    await this.definitions.delete(definition);
  }
}
