/**
 * The contract of a step type. A step type is a Nest provider marked
 * `@StepType('name', { params: <JSON Schema> })` (see step-type.decorator.ts); the engine discovers
 * every one at start, so an application that imports our modules adds its own the same way.
 */

/** Why a waiting step was resumed. */
export type ResumeReason = 'timer' | 'signal' | 'child' | 'timeout';

export interface StepResume {
  reason: ResumeReason;
  /** Signal payload, or the child execution's `{status, outputs, error}`. */
  payload?: unknown;
}

export interface StepContext {
  tenantId: string;
  executionId: string;
  /** The step execution row (stable across attempts): a natural idempotency key for side effects. */
  stepExecutionId: string;
  workflowId: string;
  workflowVersion: string;
  stepId: string;
  /** Index of a `forEach` item; null for a plain step. */
  itemIndex: number | null;
  /** 1 for the first attempt. */
  attempt: number;
  /** The step's `agentRole` field (SPEC section 2): the role an `agent_task` prefers; null when unset. */
  agentRole?: string | null;
  /** The step's params with every template rendered. */
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** Aborted on cancel and on timeout; long-running handlers should honour it. */
  signal: AbortSignal;
  /** Set when a step that asked to wait is resumed. */
  resume?: StepResume;
}

/** What a handler may ask for instead of an output: to wait without holding a worker. */
export interface StepWait {
  kind: 'timer' | 'signal' | 'child';
  /** Timer: when to resume. Signal and child: optional deadline, then resumed with reason `timeout`. */
  until?: Date;
  /** Signal name, or the child execution id. */
  key?: string;
}

export class StepWaitRequest {
  constructor(readonly wait: StepWait) {}
}

/** Return `StepOutcome.wait(...)` to wait; return any JSON value to complete with it as output. */
export const StepOutcome = {
  wait: (wait: StepWait) => new StepWaitRequest(wait),
};

export interface StepHandler {
  execute(context: StepContext): Promise<unknown>;
}

/**
 * Throw this (or any error with `retryable: false`) to fail the step at once, skipping retries.
 * Any other error fails the attempt and is retried while attempts remain.
 */
export class StepError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

export class NonRetryableStepError extends StepError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, false, details);
  }
}
