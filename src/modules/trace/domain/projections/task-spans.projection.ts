import type { DomainEvent } from '@cognition/platform/domain';
import { TaskAssigned, TaskCancelled, TaskCompleted, TaskCreated, TaskFailed, TaskRequeued, TaskStarted, type TaskEventPayload } from '@cognition/task/contracts/task.events';
import type { SpanWrite } from '../span-write';
import { defined, fromEvent, on, ref } from './span-projector';

/** task span: entity = task id, name = the task's name, parent = the step span that created it (else a root). */
function task(e: DomainEvent<TaskEventPayload>, rest: Omit<SpanWrite, 'tenantId' | 'at' | 'position' | 'type' | 'entityId' | 'name' | 'parent'>): SpanWrite {
  const p = e.payload;
  return {
    ...fromEvent(e),
    ...ref('task', p.taskId ?? e.aggregateId),
    name: p.name,
    parent: p.stepExecutionId ? ref('step', p.stepExecutionId) : undefined,
    ...rest,
    metadata: defined({ attempt: p.attempt, ...rest.metadata }),
  };
}

export const TASK_SPAN_PROJECTORS = [
  on(TaskCreated, (e) => task(e, { status: 'pending', inputs: e.payload.input, metadata: { priority: e.payload.priority, requiredCapabilities: e.payload.requiredCapabilities } })),
  on(TaskAssigned, (e) => task(e, { metadata: { agentId: e.payload.agentId } })),
  on(TaskStarted, (e) => task(e, { status: 'running', startedAt: e.occurredAt, metadata: { agentId: e.payload.agentId } })),
  on(TaskCompleted, (e) => task(e, { status: 'completed', outputs: e.payload.output, completedAt: e.occurredAt, metadata: defined({ agentId: e.payload.agentId ?? undefined }) })),
  on(TaskFailed, (e) =>
    e.payload.willRetry
      ? task(e, { status: 'running', metadata: { lastError: e.payload.error } })
      : task(e, { status: 'failed', error: e.payload.error, completedAt: e.occurredAt, metadata: defined({ agentId: e.payload.agentId ?? undefined }) }),
  ),
  on(TaskRequeued, (e) => task(e, { status: 'pending', metadata: { requeueReason: e.payload.reason } })),
  on(TaskCancelled, (e) => task(e, { status: 'cancelled', error: { reason: e.payload.reason }, completedAt: e.occurredAt })),
];
