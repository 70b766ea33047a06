import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { definitionInput, OTHER_TENANT, registeredDefinition, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { UpdateAgentDefinitionCommand } from '@cognition/agent/contracts';
import { UpdateAgentDefinitionCommandHandler } from './update-agent-definition.command-handler';

describe('UpdateAgentDefinitionCommandHandler', () => {
  async function setup() {
    const unit = await agentUnitModule(UpdateAgentDefinitionCommandHandler);
    const stored = registeredDefinition();
    await unit.definitions.insert(stored);
    unit.definitions.publishedEvents.length = 0;
    return { ...unit, handler: unit.moduleRef.get(UpdateAgentDefinitionCommandHandler), id: stored.id };
  }

  it('replaces the fields, bumps the revision and records AgentDefinitionUpdated', async () => {
    const { handler, definitions, id } = await setup();
    const view = await handler.execute(new UpdateAgentDefinitionCommand(TENANT, id, definitionInput({ role: 'critic', tools: [] }), 1));
    expect(view).toMatchObject({ role: 'critic', tools: [], revision: 2 });
    expect(definitions.publishedEvents.map((e) => e.type)).toEqual(['AgentDefinitionUpdated']);
  });

  it('refuses a stale expected revision, another tenant, and a malformed id', async () => {
    const { handler, id } = await setup();
    await expect(handler.execute(new UpdateAgentDefinitionCommand(TENANT, id, definitionInput(), 7))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    await expect(handler.execute(new UpdateAgentDefinitionCommand(OTHER_TENANT, id, definitionInput()))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_NOT_FOUND' });
    await expect(handler.execute(new UpdateAgentDefinitionCommand(TENANT, 'nope', definitionInput()))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_NOT_FOUND' });
  });
});
