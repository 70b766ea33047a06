import { StepWait } from '../contracts';
import { ExecutionPlan } from '../domain/execution-plan';
import { StepErrorInfo } from '../domain/step-failure';
import { ClaimedStep } from './step-claims';

/** What running a claimed step came to; the results writer applies a batch of these in one transaction. */
export type StepResult =
  | { kind: 'completed'; claim: ClaimedStep; plan: ExecutionPlan; output: unknown; /** The output as JSON, when the runner measured it. */ serialized?: string }
  | { kind: 'skipped'; claim: ClaimedStep; plan: ExecutionPlan; reason: string }
  | { kind: 'failed'; claim: ClaimedStep; plan: ExecutionPlan; error: StepErrorInfo; retryAt?: Date }
  | { kind: 'waiting'; claim: ClaimedStep; plan: ExecutionPlan; wait: StepWait }
  | { kind: 'expanded'; claim: ClaimedStep; plan: ExecutionPlan; count: number; /** The items, stored one per item row. */ items?: unknown[] }
  | { kind: 'blocked'; claim: ClaimedStep; plan: ExecutionPlan; concurrencyKey: string };

/** A step that reached a final status in this batch (completed, skipped, failed or cancelled). */
export interface TerminalStep {
  stepExecutionId: string;
  executionId: string;
  tenantId: string;
  stepId: string;
  itemIndex: number | null;
  type: string;
  attempt: number;
  status: 'completed' | 'skipped' | 'failed' | 'cancelled';
  error?: StepErrorInfo;
  plan: ExecutionPlan;
}

export function stepPayload(t: { executionId: string; stepExecutionId: string; stepId: string; itemIndex: number | null; type: string; attempt: number }) {
  return { executionId: t.executionId, stepExecutionId: t.stepExecutionId, stepId: t.stepId, itemIndex: t.itemIndex, type: t.type, attempt: t.attempt };
}

export function terminalOf(claim: ClaimedStep, plan: ExecutionPlan, status: TerminalStep['status'], error?: StepErrorInfo): TerminalStep {
  return {
    stepExecutionId: claim.id,
    executionId: claim.executionId,
    tenantId: claim.tenantId,
    stepId: claim.stepId,
    itemIndex: claim.itemIndex,
    type: claim.type,
    attempt: claim.attempt,
    status,
    error,
    plan,
  };
}
