import { Query } from '@nestjs/cqrs';
import type { TaskPriority, TaskStatus, TaskView } from './task.types';

/** One task of the tenant; 404 TASK_NOT_FOUND otherwise. */
export class GetTaskQuery extends Query<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
  ) {
    super();
  }
}

export interface TaskListFilter {
  status?: TaskStatus;
  agentId?: string;
  priority?: TaskPriority;
  workflowExecutionId?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paginated. */
export class ListTasksQuery extends Query<{ items: TaskView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly filter: TaskListFilter,
  ) {
    super();
  }
}
