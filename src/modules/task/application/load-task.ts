import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import type { Task } from '../domain/task.aggregate';
import type { TaskRepository } from '../domain/task.repository.port';

/** Loads one task of the tenant or fails with TASK_NOT_FOUND (a malformed id or another tenant's task too). */
export async function loadTask(repo: TaskRepository, tenantId: string, taskId: string): Promise<Task> {
  const task = isUuid(taskId) ? await repo.findById(tenantId, taskId.toLowerCase()) : null;
  if (!task) throw new DomainError('TASK_NOT_FOUND', `Task ${taskId} not found`);
  return task;
}
