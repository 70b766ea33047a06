import { retryDelayMs, type RetryPolicyDefinition } from '@cognition/workflow/contracts';

export interface StepErrorInfo {
  code: string;
  message: string;
  details?: unknown;
}

export type FailureDecision = { retry: true; delayMs: number } | { retry: false };

/** After attempt `attempt` failed: retry (with backoff) while attempts remain and the error allows it. */
export function decideAfterFailure(policy: RetryPolicyDefinition, attempt: number, retryable: boolean, random: () => number = Math.random): FailureDecision {
  if (!retryable || attempt >= policy.maxAttempts) return { retry: false };
  return { retry: true, delayMs: retryDelayMs(policy, attempt, random) };
}

/** A thrown value as a stored error: code and message, never a stack. */
export function toStepError(error: unknown): StepErrorInfo & { retryable: boolean } {
  const e = error as { code?: unknown; message?: unknown; retryable?: unknown; details?: unknown };
  const code = typeof e?.code === 'string' && e.code ? e.code : 'STEP_FAILED';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const info: StepErrorInfo & { retryable: boolean } = { code, message: message.slice(0, 4000), retryable: e?.retryable !== false };
  if (e?.details !== undefined) info.details = e.details;
  return info;
}
