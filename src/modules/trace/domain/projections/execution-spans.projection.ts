import {
  StepEventPayload,
  StepExecutionCompleted,
  StepExecutionFailed,
  StepExecutionRetried,
  StepExecutionSkipped,
  StepExecutionStarted,
  StepExecutionWaiting,
  WorkflowExecutionCancelled,
  WorkflowExecutionCompleted,
  WorkflowExecutionFailed,
  WorkflowExecutionStarted,
  type ExecutionEventPayload,
} from '@cognition/engine/contracts/execution.events';
import type { DomainEvent } from '@cognition/platform/domain';
import type { SpanWrite } from '../span-write';
import { defined, fromEvent, on, ref } from './span-projector';

/** workflow span: entity = execution id, name = `<workflowId>@<version>`. */
function workflow(e: DomainEvent<ExecutionEventPayload>, rest: Omit<SpanWrite, 'tenantId' | 'at' | 'position' | 'type' | 'entityId' | 'name'>): SpanWrite {
  const { executionId = e.aggregateId, workflowId, workflowVersion } = e.payload;
  return { ...fromEvent(e), ...ref('workflow', executionId), name: `${workflowId}@${workflowVersion}`, ...rest };
}

/** step span: entity = step execution id, name = stepId or `stepId[itemIndex]`, parent = its workflow span. */
function step(e: DomainEvent<StepEventPayload>, rest: Omit<SpanWrite, 'tenantId' | 'at' | 'position' | 'type' | 'entityId' | 'name'>): SpanWrite {
  const p = e.payload;
  const name = p.itemIndex === null || p.itemIndex === undefined ? p.stepId : `${p.stepId}[${p.itemIndex}]`;
  return {
    ...fromEvent(e),
    ...ref('step', p.stepExecutionId),
    name,
    parent: ref('workflow', p.executionId ?? e.aggregateId),
    ...rest,
    metadata: defined({ stepId: p.stepId, itemIndex: p.itemIndex ?? null, stepType: p.type, attempt: p.attempt, ...rest.metadata }),
  };
}

export const EXECUTION_SPAN_PROJECTORS = [
  on(WorkflowExecutionStarted, (e) => {
    const p = e.payload as WorkflowExecutionStarted['payload'] & { inputs?: unknown };
    return workflow(e, {
      parent: p.parentExecutionId ? ref('workflow', p.parentExecutionId) : undefined,
      status: 'running',
      startedAt: e.occurredAt,
      inputs: p.inputs,
      metadata: defined({ workflowId: p.workflowId, workflowVersion: p.workflowVersion, triggeredBy: p.triggeredBy, retried: p.retry ? true : undefined }),
    });
  }),
  on(WorkflowExecutionCompleted, (e) => workflow(e, { status: 'completed', outputs: e.payload.outputs, completedAt: e.occurredAt })),
  on(WorkflowExecutionFailed, (e) => workflow(e, { status: 'failed', error: e.payload.error, completedAt: e.occurredAt })),
  on(WorkflowExecutionCancelled, (e) => workflow(e, { status: 'cancelled', completedAt: e.occurredAt })),

  on(StepExecutionStarted, (e) => step(e, { status: 'running', startedAt: e.occurredAt })),
  on(StepExecutionWaiting, (e) => step(e, { status: 'running', startedAt: e.occurredAt, metadata: defined({ waitKind: e.payload.waitKind, waitKey: e.payload.waitKey, waitUntil: e.payload.until }) })),
  on(StepExecutionRetried, (e) => step(e, { status: 'running', metadata: { lastError: e.payload.error ?? null, retryAt: e.payload.retryAt ?? null } })),
  on(StepExecutionCompleted, (e) => step(e, { status: 'completed', outputs: e.payload.output, completedAt: e.occurredAt })),
  on(StepExecutionFailed, (e) => step(e, { status: 'failed', error: e.payload.error, completedAt: e.occurredAt })),
  on(StepExecutionSkipped, (e) => step(e, { status: 'cancelled', error: { reason: e.payload.reason }, completedAt: e.occurredAt })),
];
