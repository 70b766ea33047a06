import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AssignTaskCommand, ClaimAssignableTasksCommand, TaskView } from '@cognition/task/contracts';
import { InstantiateAgentCommand } from '../../contracts';
import { AgentRepository } from '../../domain/agent.repository.port';
import { AgentPool } from '../../infrastructure/agent-pool';

export interface Assignment {
  tenantId: string;
  agentId: string;
  taskId: string;
}

/** How many claimed tasks are looked at per free slot (tasks no agent can take are skipped). */
const LOOKAHEAD = 4;

/**
 * Hands assignable tasks to agents, in one transaction: locks the next tasks (priority, then age;
 * SKIP LOCKED), picks an agent for each by the matching rule — instantiating one from a compatible
 * definition when none is idle and the pool is below AGENT_POOL_MAX — and assigns both. Tasks no
 * agent can take stay pending, unlocked at commit.
 */
@Injectable()
export class TaskDispatcher {
  constructor(
    private readonly commands: CommandBus,
    private readonly pool: AgentPool,
    private readonly agents: AgentRepository,
    private readonly config: AppConfig,
  ) {}

  @Transactional()
  async dispatch(slots: number): Promise<Assignment[]> {
    const tasks = await this.commands.execute(new ClaimAssignableTasksCommand(slots * LOOKAHEAD));
    const assignments: Assignment[] = [];
    for (const task of tasks) {
      if (assignments.length >= slots) break;
      const agentId = await this.agentFor(task);
      if (!agentId) continue;
      const agent = await this.agents.findById(task.tenantId, agentId);
      if (!agent) continue;
      agent.assign(task.id, new Date());
      await this.agents.update(agent);
      await this.commands.execute(new AssignTaskCommand(task.tenantId, task.id, agentId));
      assignments.push({ tenantId: task.tenantId, agentId, taskId: task.id });
    }
    return assignments;
  }

  private async agentFor(task: TaskView): Promise<string | null> {
    const want = {
      tenantId: task.tenantId,
      capabilities: task.requiredCapabilities,
      preferredRole: task.preferredRole,
      definitionId: task.agentDefinitionId,
      excludedAgentIds: task.excludedAgentIds,
    };
    const idle = await this.pool.lockIdleAgent(want);
    if (idle) return idle;
    const definitionId = await this.pool.definitionWithRoom(want, this.config.get('AGENT_POOL_MAX'));
    if (!definitionId) return null;
    try {
      const agent = await this.commands.execute(new InstantiateAgentCommand(task.tenantId, definitionId));
      return agent.id;
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  }
}
