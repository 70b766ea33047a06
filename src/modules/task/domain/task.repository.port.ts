import type { TaskPriority, TaskStatus } from '../contracts/task.types';
import type { Task } from './task.aggregate';

export interface TaskListFilter {
  status?: TaskStatus;
  agentId?: string;
  priority?: TaskPriority;
  workflowExecutionId?: string;
  limit: number;
  /** Keyset: tasks with an id below this one (newest first). */
  beforeId?: string;
}

/**
 * Port (DI token) for tasks. Adapters append `task.pullEvents()` to the outbox in the same
 * transaction as the write, and wake idle agent workers (NOTIFY) when a write may have made a task
 * claimable (created, requeued, or a dependency completed).
 */
export abstract class TaskRepository {
  abstract findById(tenantId: string, id: string): Promise<Task | null>;

  /** Tasks of the tenant with these ids, in the order of `ids` (missing ones left out). */
  abstract findByIds(tenantId: string, ids: readonly string[]): Promise<Task[]>;

  /**
   * Status of each existing task of the tenant among `ids`, share-locked until the transaction
   * ends, so none of them can fail or be cancelled (and miss the new dependents) meanwhile.
   */
  abstract lockDependencies(tenantId: string, ids: readonly string[]): Promise<Map<string, TaskStatus>>;

  /** Newest first. */
  abstract list(tenantId: string, filter: TaskListFilter): Promise<Task[]>;

  /** Pending tasks of the tenant that depend directly on any of `taskIds`. */
  abstract findPendingDependents(tenantId: string, taskIds: readonly string[]): Promise<Task[]>;

  /** Pending, assigned and in-progress tasks of a workflow execution. */
  abstract findUnfinishedByWorkflowExecution(tenantId: string, workflowExecutionId: string): Promise<Task[]>;

  /**
   * Up to `limit` pending tasks of any tenant whose dependencies are all completed, by priority
   * (critical first) then age, locked FOR UPDATE SKIP LOCKED in the current transaction.
   */
  abstract claimAssignable(limit: number): Promise<Task[]>;

  /** Stores new tasks with version 1. */
  abstract insertMany(tasks: readonly Task[]): Promise<void>;

  /** Optimistic write: CONCURRENT_MODIFICATION when the stored version is not the loaded one. */
  abstract update(task: Task): Promise<void>;
}
