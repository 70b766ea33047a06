import { DomainEvent } from '@cognition/platform/domain';

/**
 * Events of the WorkflowExecution aggregate. Step events belong to it too: their aggregateId is the
 * execution id, so an execution's whole history reads in order from one aggregate stream.
 */
abstract class ExecutionEvent<P extends object> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'WorkflowExecution';
  }
}

export interface ExecutionEventPayload {
  executionId: string;
  workflowId: string;
  workflowVersion: string;
}

export interface StepEventPayload {
  executionId: string;
  stepExecutionId: string;
  stepId: string;
  itemIndex: number | null;
  type: string;
  attempt: number;
}

export class WorkflowExecutionStarted extends ExecutionEvent<ExecutionEventPayload & { triggeredBy: string; parentExecutionId: string | null; retry?: boolean }> {}
export class WorkflowExecutionCompleted extends ExecutionEvent<ExecutionEventPayload & { outputs: unknown }> {}
export class WorkflowExecutionFailed extends ExecutionEvent<ExecutionEventPayload & { error: unknown }> {}
export class WorkflowExecutionCancelled extends ExecutionEvent<ExecutionEventPayload> {}
export class StepExecutionStarted extends ExecutionEvent<StepEventPayload> {}
export class StepExecutionCompleted extends ExecutionEvent<StepEventPayload & { output: unknown }> {}
export class StepExecutionFailed extends ExecutionEvent<StepEventPayload & { error: unknown }> {}
export class StepExecutionRetried extends ExecutionEvent<StepEventPayload & { error: unknown; retryAt: string }> {}
export class StepExecutionSkipped extends ExecutionEvent<StepEventPayload & { reason: string }> {}
export class StepExecutionWaiting extends ExecutionEvent<StepEventPayload & { waitKind: string; waitKey: string | null; until: string | null }> {}
export class ScheduledWorkflowTriggered extends DomainEvent<{ workflowId: string; workflowVersion: string; tickAt: string; executionId: string }> {
  override get aggregateType(): string {
    return 'Workflow';
  }
}

export const EXECUTION_EVENTS = [
  WorkflowExecutionStarted,
  WorkflowExecutionCompleted,
  WorkflowExecutionFailed,
  WorkflowExecutionCancelled,
  StepExecutionStarted,
  StepExecutionCompleted,
  StepExecutionFailed,
  StepExecutionRetried,
  StepExecutionSkipped,
  StepExecutionWaiting,
  ScheduledWorkflowTriggered,
];

/** Events after which an execution's stream ends. */
export const TERMINAL_EXECUTION_EVENTS = new Set(['WorkflowExecutionCompleted', 'WorkflowExecutionFailed', 'WorkflowExecutionCancelled']);
