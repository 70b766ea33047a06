import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { FailTaskCommand } from '@cognition/task/contracts';
import { AgentView, TerminateAgentCommand } from '@cognition/agent/contracts';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { loadAgent } from '../../load-agent';

/** A task that is gone, finished or already released (not assigned or in progress) needs no release. */
const NOTHING_TO_RELEASE = new Set(['TASK_NOT_FOUND', 'TASK_ALREADY_FINISHED', 'TASK_INVALID_TRANSITION']);

/**
 * Terminates an agent (409 AGENT_TERMINATED when it already is). A task it holds is released in
 * the same transaction: requeued for another agent while attempts remain.
 */
@CommandHandler(TerminateAgentCommand)
export class TerminateAgentCommandHandler implements ICommandHandler<TerminateAgentCommand, AgentView> {
  constructor(
    private readonly agents: AgentRepository,
    private readonly commands: CommandBus,
  ) {}

  @Transactional()
  async execute({ tenantId, agentId, reason }: TerminateAgentCommand): Promise<AgentView> {
    const agent = await loadAgent(this.agents, tenantId, agentId, true);
    const heldTaskId = agent.currentTaskId;
    agent.terminate(reason, new Date());
    await this.agents.update(agent);
    if (heldTaskId) {
      try {
        await this.commands.execute(new FailTaskCommand(tenantId, heldTaskId, null, { code: 'AGENT_TERMINATED', message: `Agent ${agentId} was terminated: ${reason}` }, 'requeue'));
      } catch (error) {
        if (!(error instanceof DomainError && NOTHING_TO_RELEASE.has(error.code))) throw error;
      }
    }
    return agent.toView();
  }
}
