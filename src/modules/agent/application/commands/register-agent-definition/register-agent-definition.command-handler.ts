import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../../../platform/ids/uuid';
import { Transactional } from '../../../../../platform/transaction/transaction';
import { AgentDefinitionView, RegisterAgentDefinitionCommand } from '../../../contracts';
import { AgentDefinition } from '../../../domain/agent-definition.aggregate';
import { AgentDefinitionRepository } from '../../../domain/agent-definition.repository.port';
import { AgentDefinitionRules } from '../definition-rules';

@CommandHandler(RegisterAgentDefinitionCommand)
export class RegisterAgentDefinitionCommandHandler implements ICommandHandler<RegisterAgentDefinitionCommand, AgentDefinitionView> {
  constructor(
    private readonly definitions: AgentDefinitionRepository,
    private readonly rules: AgentDefinitionRules,
  ) {}

  @Transactional()
  async execute({ tenantId, definition }: RegisterAgentDefinitionCommand): Promise<AgentDefinitionView> {
    const registered = AgentDefinition.register({ id: newId(), tenantId, definition }, this.rules, new Date());
    await this.definitions.insert(registered);
    return registered.toView();
  }
}
