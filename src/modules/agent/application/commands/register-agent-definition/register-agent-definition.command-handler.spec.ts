import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { definitionInput, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { RegisterAgentDefinitionCommand } from '@cognition/agent/contracts';
import { RegisterAgentDefinitionCommandHandler } from './register-agent-definition.command-handler';

describe('RegisterAgentDefinitionCommandHandler', () => {
  it('stores a definition with defaults and records AgentDefinitionRegistered', async () => {
    const { moduleRef, definitions } = await agentUnitModule(RegisterAgentDefinitionCommandHandler);
    const view = await moduleRef.get(RegisterAgentDefinitionCommandHandler).execute(new RegisterAgentDefinitionCommand(TENANT, definitionInput()));
    expect(view).toMatchObject({ name: 'ticket-summarizer', version: '1.0.0', revision: 1, failureStrategy: 'retry' });
    expect((await definitions.findById(TENANT, view.id))?.name).toBe('ticket-summarizer');
    expect(definitions.publishedEvents.map((e) => e.type)).toEqual(['AgentDefinitionRegistered']);
  });

  it('refuses a duplicate (tenant, name, version) and stores nothing invalid', async () => {
    const { moduleRef, definitions } = await agentUnitModule(RegisterAgentDefinitionCommandHandler);
    const handler = moduleRef.get(RegisterAgentDefinitionCommandHandler);
    await handler.execute(new RegisterAgentDefinitionCommand(TENANT, definitionInput()));
    await expect(handler.execute(new RegisterAgentDefinitionCommand(TENANT, definitionInput()))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_EXISTS' });
    await expect(handler.execute(new RegisterAgentDefinitionCommand(TENANT, definitionInput({ name: 'x', tools: ['nope'] })))).rejects.toMatchObject({ code: 'TOOL_NOT_FOUND' });
    expect(await handler.execute(new RegisterAgentDefinitionCommand(TENANT, definitionInput({ version: '1.1.0' })))).toMatchObject({ version: '1.1.0' });
    expect(definitions.publishedEvents).toHaveLength(2);
  });
});
