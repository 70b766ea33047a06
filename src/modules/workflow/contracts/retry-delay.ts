import type { RetryPolicyDefinition } from './workflow.types';

/**
 * Delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed. Exponential doubles
 * from initialDelayMs; both are capped at maxDelayMs. With jitter ("equal jitter") the result is
 * uniform in [delay/2, delay], which spreads retries of many steps while keeping half the backoff.
 */
export function retryDelayMs(policy: RetryPolicyDefinition, attempt: number, random: () => number = Math.random): number {
  const { backoff, initialDelayMs, maxDelayMs, jitter } = policy;
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 52);
  const raw = backoff === 'fixed' ? initialDelayMs : initialDelayMs * 2 ** exponent;
  const delay = Math.min(raw, maxDelayMs);
  if (!jitter) return delay;
  const factor = Math.min(Math.max(random(), 0), 1);
  return Math.round(delay / 2 + (delay / 2) * factor);
}
