import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AgentDefinitionView, UpdateAgentDefinitionCommand } from '@cognition/agent/contracts';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
import { loadDefinition } from '../../load-agent';
import { AgentDefinitionRules } from '../definition-rules';

@CommandHandler(UpdateAgentDefinitionCommand)
export class UpdateAgentDefinitionCommandHandler implements ICommandHandler<UpdateAgentDefinitionCommand, AgentDefinitionView> {
  constructor(
    private readonly definitions: AgentDefinitionRepository,
    private readonly rules: AgentDefinitionRules,
  ) {}

  @Transactional()
  async execute({ tenantId, definitionId, definition, expectedRevision }: UpdateAgentDefinitionCommand): Promise<AgentDefinitionView> {
    const stored = await loadDefinition(this.definitions, tenantId, definitionId);
    if (expectedRevision !== undefined && expectedRevision !== stored.revision) {
      throw new DomainError('CONCURRENT_MODIFICATION', `Agent definition ${definitionId} is at revision ${stored.revision}, not ${expectedRevision}; reload and retry`);
    }
    stored.update(definition, this.rules, new Date());
    await this.definitions.update(stored);
    return stored.toView();
  }
}
