import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { OTHER_TENANT, registeredDefinition, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { InstantiateAgentCommand } from '@cognition/agent/contracts';
import { InstantiateAgentCommandHandler } from './instantiate-agent.command-handler';

describe('InstantiateAgentCommandHandler', () => {
  it('stores an idle agent copied from the definition, with the budget override and permissions', async () => {
    const { moduleRef, definitions, agents } = await agentUnitModule(InstantiateAgentCommandHandler);
    const definition = registeredDefinition({ defaultBudget: { maxTokens: 1000 } });
    await definitions.insert(definition);
    const view = await moduleRef.get(InstantiateAgentCommandHandler).execute(new InstantiateAgentCommand(TENANT, definition.id, { budget: { maxCostUsd: 0.25 }, permissions: ['http'] }));
    expect(view).toMatchObject({
      definitionId: definition.id,
      status: 'idle',
      revision: 1,
      budgetLimits: { maxTokens: 1000, maxCostUsd: 0.25, maxTimeSeconds: 300, maxToolExecutions: 10 },
      grantedPermissions: ['http'],
    });
    expect(agents.publishedEvents.map((e) => e.type)).toEqual(['AgentCreated', 'AgentBecameIdle']);
  });

  it('answers AGENT_DEFINITION_NOT_FOUND for another tenant’s definition', async () => {
    const { moduleRef, definitions, agents } = await agentUnitModule(InstantiateAgentCommandHandler);
    const definition = registeredDefinition({}, OTHER_TENANT);
    await definitions.insert(definition);
    await expect(moduleRef.get(InstantiateAgentCommandHandler).execute(new InstantiateAgentCommand(TENANT, definition.id))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_NOT_FOUND' });
    expect(agents.rows.size).toBe(0);
  });
});
