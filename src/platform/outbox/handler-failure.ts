import { escapeUnstorable } from '@cognition/platform/json/unstorable-text';

/** What is kept of a handler's error (in `dead_letters.error` and a subscriber's retry state). */
export interface HandlerFailure {
  message: string;
  code?: string;
}

const MAX_MESSAGE = 2000;

/** The message (cut to 2,000 characters, made storable as jsonb) and the error's string `code`, if any. */
export function handlerFailureOf(error: unknown): HandlerFailure {
  const raw = error instanceof Error ? error.message : String(error);
  // jsonb refuses NUL and lone surrogates: they are kept as `\uXXXX` escapes.
  const message = escapeUnstorable(raw.length > MAX_MESSAGE ? `${raw.slice(0, MAX_MESSAGE)}…` : raw) || (error instanceof Error ? error.name : 'error');
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 && code.length <= 100 ? { message, code: escapeUnstorable(code) } : { message };
}

/** How durable handlers are retried before their event is dead-lettered (EVENT_HANDLER_* settings). */
export interface HandlerRetryPolicy {
  /** Attempts in all, the first included; after the last failed one the event is dead-lettered. */
  maxAttempts: number;
  /** Wait before the second attempt; each later wait doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The wait after failed attempt `attempt` (1-based): base · 2^(attempt−1), capped. No jitter: one subscriber retries one event. */
export function retryDelayMs(policy: HandlerRetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
}
