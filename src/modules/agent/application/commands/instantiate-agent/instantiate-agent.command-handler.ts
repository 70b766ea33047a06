import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@cognition/platform/ids/uuid';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AgentView, InstantiateAgentCommand } from '@cognition/agent/contracts';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
import { Agent } from '@cognition/agent/domain/agent.aggregate';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
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
