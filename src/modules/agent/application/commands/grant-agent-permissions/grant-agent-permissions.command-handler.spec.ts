import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { agentIn, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { GrantAgentPermissionsCommand, RevokeAgentPermissionCommand } from '@cognition/agent/contracts';
import { RevokeAgentPermissionCommandHandler } from '../revoke-agent-permission/revoke-agent-permission.command-handler';
import { GrantAgentPermissionsCommandHandler } from './grant-agent-permissions.command-handler';

describe('GrantAgentPermissionsCommandHandler and RevokeAgentPermissionCommandHandler', () => {
  it('grants new permissions, revokes one, and writes nothing when nothing changes', async () => {
    const { moduleRef, agents } = await agentUnitModule(GrantAgentPermissionsCommandHandler, RevokeAgentPermissionCommandHandler);
    const agent = agentIn('idle');
    agents.rows.set(agent.id, agent.toState());
    const grant = moduleRef.get(GrantAgentPermissionsCommandHandler);
    const revoke = moduleRef.get(RevokeAgentPermissionCommandHandler);

    expect(await grant.execute(new GrantAgentPermissionsCommand(TENANT, agent.id, ['destructive']))).toMatchObject({ grantedPermissions: ['http', 'destructive'], revision: 2 });
    expect(await grant.execute(new GrantAgentPermissionsCommand(TENANT, agent.id, ['http']))).toMatchObject({ revision: 2 });
    expect(await revoke.execute(new RevokeAgentPermissionCommand(TENANT, agent.id, 'http'))).toMatchObject({ grantedPermissions: ['destructive'], revision: 3 });
    expect(await revoke.execute(new RevokeAgentPermissionCommand(TENANT, agent.id, 'http'))).toMatchObject({ revision: 3 });
    expect(agents.publishedEvents.map((e) => e.type)).toEqual(['AgentPermissionGranted', 'AgentPermissionRevoked']);
    await expect(grant.execute(new GrantAgentPermissionsCommand(TENANT, agent.id, ['bad perm']))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
