import { DomainEvent } from '@cognition/platform/domain';
import type { TaskError, TaskPriority } from './task.types';

/** Fields every task event carries, so reactions (engine steps, traces) need no read. aggregateId is the task id. */
export type TaskEventPayload = {
  taskId: string;
  name: string;
  attempt: number;
  workflowExecutionId: string | null;
  stepExecutionId: string | null;
};

abstract class TaskEvent<P extends TaskEventPayload> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'Task';
  }
}

export class TaskCreated extends TaskEvent<TaskEventPayload & { priority: TaskPriority; requiredCapabilities: string[]; dependencies: string[]; input: unknown }> {}
export class TaskAssigned extends TaskEvent<TaskEventPayload & { agentId: string }> {}
export class TaskStarted extends TaskEvent<TaskEventPayload & { agentId: string }> {}
export class TaskCompleted extends TaskEvent<TaskEventPayload & { agentId: string | null; output: unknown; durationMs: number | null }> {}
/** `willRetry`: the task goes back to pending (TaskRequeued follows); otherwise this failure is final. */
export class TaskFailed extends TaskEvent<TaskEventPayload & { agentId: string | null; error: TaskError; willRetry: boolean }> {}
/** A failed attempt went back to the queue (or to the same agent) as attempt `attempt`. */
export class TaskRequeued extends TaskEvent<TaskEventPayload & { reason: 'retry' | 'manual' | 'escalated' | 'stuck' }> {}
export class TaskCancelled extends TaskEvent<TaskEventPayload & { reason: string }> {}

export const TASK_EVENTS = [TaskCreated, TaskAssigned, TaskStarted, TaskCompleted, TaskFailed, TaskRequeued, TaskCancelled];
