import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../../../platform/ids/uuid';
import { Transactional } from '../../../../../platform/transaction/transaction';
import { AgentView, InstantiateAgentCommand } from '../../../contracts';
import { AgentDefinitionRepository } from '../../../domain/agent-definition.repository.port';
import { Agent } from '../../../domain/agent.aggregate';
import { AgentRepository } from '../../../domain/agent.repository.port';
import { loadDefinition } from '../../load-agent';

@CommandHandler(InstantiateAgentCommand)
export class InstantiateAgentCommandHandler implements ICommandHandler<InstantiateAgentCommand, AgentView> {
  constructor(
    private readonly definitions: AgentDefinitionRepository,
    private readonly agents: AgentRepository,
  ) {}

  @Transactional()
  async execute({ tenantId, definitionId, options }: InstantiateAgentCommand): Promise<AgentView> {
    // Share lock: the definition cannot be deleted until this agent is stored.
    const definition = await loadDefinition(this.definitions, tenantId, definitionId, 'share');
    const agent = Agent.instantiate(definition, { id: newId(), budget: options?.budget, permissions: options?.permissions }, new Date());
    await this.agents.insert(agent);
    return agent.toView();
  }
}
