import { Injectable } from '@nestjs/common';
import type { Task } from '../domain/task.aggregate';
import { TaskRepository } from '../domain/task.repository.port';

/**
 * A task that failed for good or was cancelled can never complete, so the tasks waiting on it
 * would wait forever: they are cancelled in the same transaction (reason
 * `dependency <id> failed|cancelled`), and their own dependents after them.
 */
@Injectable()
export class TaskCascade {
  constructor(private readonly tasks: TaskRepository) {}

  /** Saves `task` (optimistically) and, if it ended without completing, cancels its dependents. */
  async save(task: Task, now: Date = new Date()): Promise<void> {
    await this.tasks.update(task);
    await this.cancelDependentsOf([task], now);
  }

  /** Cancels the pending dependents of every failed or cancelled task in `ended`, transitively. */
  async cancelDependentsOf(ended: readonly Task[], now: Date = new Date()): Promise<Task[]> {
    const cancelled: Task[] = [];
    let frontier = ended.filter((t) => t.status === 'failed' || t.status === 'cancelled');
    while (frontier.length > 0) {
      const next: Task[] = [];
      for (const tenantId of new Set(frontier.map((t) => t.tenantId))) {
        const causes = new Map(frontier.filter((t) => t.tenantId === tenantId).map((t) => [t.id, t.status]));
        for (const dependent of await this.tasks.findPendingDependents(tenantId, [...causes.keys()])) {
          const cause = dependent.dependencies.find((id) => causes.has(id))!;
          dependent.cancel(`dependency ${cause} ${causes.get(cause)}`, now);
          await this.tasks.update(dependent);
          next.push(dependent);
        }
      }
      cancelled.push(...next);
      frontier = next;
    }
    return cancelled;
  }
}
