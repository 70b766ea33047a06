import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { agentIn, OTHER_TENANT, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { RevokeAgentPermissionCommand } from '@cognition/agent/contracts';
import { RevokeAgentPermissionCommandHandler } from './revoke-agent-permission.command-handler';

describe('RevokeAgentPermissionCommandHandler', () => {
  it('answers AGENT_NOT_FOUND for another tenant and AGENT_TERMINATED for a terminated agent', async () => {
    const { moduleRef, agents } = await agentUnitModule(RevokeAgentPermissionCommandHandler);
    const live = agentIn('idle');
    const gone = agentIn('terminated');
    for (const a of [live, gone]) agents.rows.set(a.id, a.toState());
    const handler = moduleRef.get(RevokeAgentPermissionCommandHandler);
    await expect(handler.execute(new RevokeAgentPermissionCommand(OTHER_TENANT, live.id, 'http'))).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    await expect(handler.execute(new RevokeAgentPermissionCommand(TENANT, gone.id, 'http'))).rejects.toMatchObject({ code: 'AGENT_TERMINATED' });
  });
});
