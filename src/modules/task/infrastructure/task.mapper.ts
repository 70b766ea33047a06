import { TASK_PRIORITIES, type TaskError, type TaskPriority, type TaskStatus } from '../contracts/task.types';
import { Task, type TaskSnapshot } from '../domain/task.aggregate';
import { TaskOrmEntity } from './task.orm-entity';

/** Task aggregate ⇄ `tasks` row. */
export const TaskMapper = {
  toDomain(row: TaskOrmEntity): Task {
    return Task.restore(TaskMapper.toSnapshot(row));
  },

  toSnapshot(row: TaskOrmEntity): TaskSnapshot {
    return {
      id: row.id,
      tenantId: row.tenantId,
      name: row.name,
      description: row.description,
      priority: row.priority as TaskPriority,
      requiredCapabilities: row.requiredCapabilities,
      preferredRole: row.preferredRole,
      agentDefinitionId: row.agentDefinitionId,
      dependencies: row.dependencies,
      input: row.input ?? null,
      outputSchema: row.outputSchema,
      output: row.output ?? null,
      error: (row.error as TaskError | null) ?? null,
      status: row.status as TaskStatus,
      assignedAgentId: row.assignedAgentId,
      excludedAgentIds: row.excludedAgentIds,
      attempt: row.attempt,
      maxAttempts: row.maxAttempts,
      userId: row.userId,
      sessionId: row.sessionId,
      goalId: row.goalId,
      workflowExecutionId: row.workflowExecutionId,
      stepExecutionId: row.stepExecutionId,
      startedAt: row.startedAt,
      completedAt: row.completedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      version: row.version,
    };
  },

  toRow(task: Task): TaskOrmEntity {
    const s = task.toSnapshot();
    const row = new TaskOrmEntity();
    Object.assign(row, { ...s, priorityRank: TASK_PRIORITIES.indexOf(s.priority) });
    return row;
  },
};
