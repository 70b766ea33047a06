/** Small HTTP helpers for benchmarks (global fetch, JSON in and out). */
import { Child } from './process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `url` until it answers 2xx. Fails after `timeoutMs`, or at once if `child` exits first
 * (with the child's last output in the message).
 */
export async function waitForHttp(url: string, child?: Child, timeoutMs = 60_000): Promise<void> {
  let exited: string | undefined;
  void child?.exited.then((how) => (exited = how));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child?.name} exited (${exited}) before ${url} was ready:\n${child?.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}: ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last})${child ? `\n${child.tail()}` : ''}`);
}

/** One JSON request; rejects unless the status is in `expect` (default: any 2xx). */
export async function requestJson<T = unknown>(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown; expect?: number[] } = {},
): Promise<T> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  const ok = options.expect ? options.expect.includes(res.status) : res.ok;
  if (!ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}
