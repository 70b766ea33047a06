/**
 * When and how long to wait before retrying an outbound API call (pure functions, used by the
 * agent module's ProviderHttp and the memory module's OpenAI-compatible embedding provider).
 *
 * Retried: 408, 429, every 5xx (Anthropic's 529 "overloaded" included) and network errors.
 * The wait is the server's `retry-after-ms` / `Retry-After` (seconds or an HTTP-date) when it sends
 * one, else exponential backoff from a base delay (MODEL_RETRY_BASE_MS) with "equal jitter" (between half and
 * all of base·2^attempt); both are capped at MAX_RETRY_DELAY_MS.
 */
export const MAX_RETRY_DELAY_MS = 60_000;

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The delay a response asks for, in ms, capped at MAX_RETRY_DELAY_MS; null when it asks for none
 * (no header, or a value that is neither a number of seconds nor an HTTP-date).
 */
export function parseRetryAfter(headers: Pick<Headers, 'get'>, now: number = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return cap(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return cap(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date) || !/[a-z]/i.test(value)) return null;
  return cap(date - now);
}

/** Exponential backoff with jitter for retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function cap(ms: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(0, Math.round(ms)));
}
