import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { FailTaskCommand } from '@cognition/task/contracts';
import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { agentIn, TASK, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { TerminateAgentCommand } from '@cognition/agent/contracts';
import { TerminateAgentCommandHandler } from './terminate-agent.command-handler';

describe('TerminateAgentCommandHandler', () => {
  it('terminates an agent, releases the task it holds for requeue, and refuses a second time', async () => {
    const { moduleRef, agents, sent } = await agentUnitModule(TerminateAgentCommandHandler);
    const agent = agentIn('executing');
    agents.rows.set(agent.id, agent.toState());
    const handler = moduleRef.get(TerminateAgentCommandHandler);

    const view = await handler.execute(new TerminateAgentCommand(TENANT, agent.id, 'scaling down'));
    expect(view).toMatchObject({ status: 'terminated', currentTaskId: null, revision: 2 });
    expect(agents.publishedEvents.map((e) => [e.type, e.payload])).toEqual([['AgentTerminated', { agentId: agent.id, reason: 'scaling down' }]]);
    expect(sent).toHaveLength(1);
    const release = sent[0] as FailTaskCommand;
    expect(release).toBeInstanceOf(FailTaskCommand);
    expect([release.tenantId, release.taskId, release.agentId, release.error.code, release.disposition]).toEqual([TENANT, TASK, null, 'AGENT_TERMINATED', 'requeue']);

    await expect(handler.execute(new TerminateAgentCommand(TENANT, agent.id))).rejects.toMatchObject({ code: 'AGENT_TERMINATED' });
  });

  it('still terminates when the task is already finished, but not when releasing it fails otherwise', async () => {
    const { moduleRef, agents } = await agentUnitModule(TerminateAgentCommandHandler);
    const bus = moduleRef.get(CommandBus);
    const handler = moduleRef.get(TerminateAgentCommandHandler);
    const finished = agentIn('reasoning');
    const broken = agentIn('reasoning');
    for (const a of [finished, broken]) agents.rows.set(a.id, a.toState());
    bus.execute = jest.fn().mockRejectedValueOnce(new DomainError('TASK_ALREADY_FINISHED', 'done')).mockRejectedValueOnce(new Error('database down'));
    expect((await handler.execute(new TerminateAgentCommand(TENANT, finished.id))).status).toBe('terminated');
    await expect(handler.execute(new TerminateAgentCommand(TENANT, broken.id))).rejects.toThrow('database down');
  });

  it('sends nothing for an idle agent', async () => {
    const { moduleRef, agents, sent } = await agentUnitModule(TerminateAgentCommandHandler);
    const agent = agentIn('idle');
    agents.rows.set(agent.id, agent.toState());
    await moduleRef.get(TerminateAgentCommandHandler).execute(new TerminateAgentCommand(TENANT, agent.id));
    expect(sent).toEqual([]);
  });
});
