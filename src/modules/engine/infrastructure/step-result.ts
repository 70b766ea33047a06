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

/**
 * One result per step of a batch: the latest attempt's (of equal attempts, the one pushed last).
 * After an outage a worker can hold two attempts of one step (its lease expired, the reaper made the
 * step pending, the worker claimed it again); the row changes once, and a batch counting both would
 * take two dependencies off each dependent (migration 1764150940000-distinct-dependencies).
 */
export function latestAttemptPerStep<R extends StepResult>(results: R[]): R[] {
  const kept = new Map<string, number>();
  results.forEach((r, i) => {
    const k = kept.get(r.claim.id);
    if (k === undefined || r.claim.attempt >= results[k].claim.attempt) kept.set(r.claim.id, i);
  });
  return kept.size === results.length ? results : results.filter((r, i) => kept.get(r.claim.id) === i);
}

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
