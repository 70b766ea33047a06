import { Command } from '@nestjs/cqrs';
import type { NewTask, TaskError, TaskFailureDisposition, TaskView } from './task.types';

/** Creates a pending task. Dependencies must exist (same tenant) and stay acyclic (422). */
export class CreateTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly task: NewTask,
    /** A repeat with the same key and body returns the first task; another body is 409. */
    readonly idempotencyKey: string | null = null,
  ) {
    super();
  }
}

/** A task of a batch: `ref` names it for the batch's other tasks, whose `dependencies` may use it. */
export type NewBatchTask = NewTask & { ref?: string };

/**
 * Creates 1–100 pending tasks in one transaction. A dependency is an existing task id of the tenant
 * or the `ref` of another task of the batch; a cycle among the batch is 422 TASK_DEPENDENCY_CYCLE.
 * Answers the tasks in the order given.
 */
export class CreateTasksCommand extends Command<TaskView[]> {
  constructor(
    readonly tenantId: string,
    readonly tasks: NewBatchTask[],
    /** A repeat with the same key and body returns the first tasks; another body is 409. */
    readonly idempotencyKey: string | null = null,
  ) {
    super();
  }
}

/** pending | assigned | in_progress → cancelled; a finished task is 409 TASK_ALREADY_FINISHED. */
export class CancelTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
    readonly reason = 'cancelled by request',
  ) {
    super();
  }
}

/** failed → pending as a new attempt (allowed beyond maxAttempts: a person asked); else 409 TASK_NOT_FAILED. */
export class RetryTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
  ) {
    super();
  }
}

/**
 * Locks up to `limit` assignable tasks of any tenant (pending, dependencies completed) by priority
 * then age with FOR UPDATE SKIP LOCKED and returns them. Must run inside the caller's transaction:
 * the locks hold until it commits; tasks not assigned in it stay pending.
 */
export class ClaimAssignableTasksCommand extends Command<TaskView[]> {
  constructor(readonly limit: number) {
    super();
  }
}

/** pending → assigned to an agent. */
export class AssignTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
    readonly agentId: string,
  ) {
    super();
  }
}

/** assigned → in_progress (the agent began the run). */
export class StartTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
    readonly agentId: string,
  ) {
    super();
  }
}

/** in_progress → completed with the output. Refused (409) unless `agentId` holds the task. */
export class CompleteTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
    readonly agentId: string,
    readonly output: unknown,
  ) {
    super();
  }
}

/** Ends the current attempt as failed; see TaskFailureDisposition. `agentId` null: released by the system (stuck agent). */
export class FailTaskCommand extends Command<TaskView> {
  constructor(
    readonly tenantId: string,
    readonly taskId: string,
    readonly agentId: string | null,
    readonly error: TaskError,
    readonly disposition: TaskFailureDisposition,
    readonly options: { excludeAgent?: boolean; reason?: 'retry' | 'escalated' | 'stuck' } = {},
  ) {
    super();
  }
}
