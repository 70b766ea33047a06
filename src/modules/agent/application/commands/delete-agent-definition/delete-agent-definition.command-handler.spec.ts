import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { registeredDefinition, t0, TENANT, testId } from '@cognition/test-support/mothers/agent.mother';
import { DeleteAgentDefinitionCommand } from '@cognition/agent/contracts';
import { Agent } from '@cognition/agent/domain/agent.aggregate';
import { DeleteAgentDefinitionCommandHandler } from './delete-agent-definition.command-handler';

describe('DeleteAgentDefinitionCommandHandler', () => {
  it('is refused while an agent of it is not terminated, then deletes it', async () => {
    const { moduleRef, definitions, agents } = await agentUnitModule(DeleteAgentDefinitionCommandHandler);
    const handler = moduleRef.get(DeleteAgentDefinitionCommandHandler);
    const definition = registeredDefinition();
    await definitions.insert(definition);
    const agent = Agent.instantiate(definition, { id: testId() }, t0);
    await agents.insert(agent);

    await expect(handler.execute(new DeleteAgentDefinitionCommand(TENANT, definition.id))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_IN_USE' });
    expect(await definitions.findById(TENANT, definition.id)).not.toBeNull();

    agent.terminate('done', t0);
    await agents.update(agent);
    await handler.execute(new DeleteAgentDefinitionCommand(TENANT, definition.id));
    expect(await definitions.findById(TENANT, definition.id)).toBeNull();
    expect(definitions.publishedEvents.map((e) => e.type)).toEqual(['AgentDefinitionDeleted']);
    await expect(handler.execute(new DeleteAgentDefinitionCommand(TENANT, definition.id))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_NOT_FOUND' });
  });
});
