import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@cognition/platform/ids/uuid';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AgentDefinitionView, RegisterAgentDefinitionCommand } from '@cognition/agent/contracts';
import { AgentDefinition } from '@cognition/agent/domain/agent-definition.aggregate';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
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
