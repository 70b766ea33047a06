import { DataSource } from 'typeorm';
import { activeWorkflow, start } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const CACHE_SECONDS = 3;
const MAX_PER_KEY = 3;

interface OpenStream {
  status: number;
  body: unknown;
  /** Resolves when the server ends the stream, with the time it did. */
  ended: Promise<number>;
  abort(): void;
}

/** Opens GET /executions/{id}/events and reads it in the background until the server ends it. */
async function openStream(url: string, key: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200 || !res.body) {
    return { status: res.status, body: await res.json().catch(() => null), ended: Promise.resolve(Date.now()), abort: () => undefined };
  }
  const reader = res.body.getReader();
  const ended = (async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return Date.now();
    }
  })();
  ended.catch(() => undefined);
  return { status: 200, body: null, ended, abort: () => controller.abort() };
}

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not after ${ms} ms`)), ms).unref())]);

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SPEC section 7 (revoking the key closes its streams) and the SSE_MAX_CONNECTIONS_PER_KEY limit. */
describe('event streams per API key: a connection limit, and revocation ends them (e2e)', () => {
  let t: TestApp;
  let eventsUrl: string;
  let streams: { openStreamsOf(keyId: string): number };
  let keys: { createKey(tenantId: string, name: string): Promise<{ id: string; key: string }>; revokeKey(id: string): Promise<unknown> };
  const opened: OpenStream[] = [];

  const newKey = () => keys.createKey(t.tenantId, 'stream');
  const open = async (key: string) => {
    const stream = await openStream(eventsUrl, key);
    opened.push(stream);
    return stream;
  };

  beforeAll(async () => {
    t = await startTestApp('sse-limits', {
      SSE_MAX_CONNECTIONS_PER_KEY: String(MAX_PER_KEY),
      API_KEY_CACHE_SECONDS: String(CACHE_SECONDS),
      SCHEDULER_ENABLED: 'false',
      WORKER_POLL_MS: '100',
    });
    const api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'long', steps: [{ id: 'wait', type: 'delay', params: { seconds: 300 } }] });
    const started = await start(api, 'long');
    eventsUrl = `${t.url}/api/v3/executions/${started.body.id}/events`;
    const { ExecutionEventStream } = await import('@cognition/engine/api/execution-event-stream');
    const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
    streams = t.app.get(ExecutionEventStream);
    keys = t.app.get(ApiKeyService);
  });
  afterAll(async () => {
    for (const stream of opened) stream.abort();
    await t?.close();
  });

  it('refuses the (N+1)th open stream of one key with 429, and not another key’s', async () => {
    const a = await newKey();
    for (let i = 0; i < MAX_PER_KEY; i++) expect((await open(a.key)).status).toBe(200);
    await until(() => streams.openStreamsOf(a.id) === MAX_PER_KEY);
    const refused = await open(a.key);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });

    const b = await newKey();
    expect((await open(b.key)).status).toBe(200);

    // Closing one of a's streams makes room for another.
    opened.find((s) => s.status === 200)!.abort();
    await until(() => streams.openStreamsOf(a.id) === MAX_PER_KEY - 1);
    expect((await open(a.key)).status).toBe(200);
  });

  it('ends the key’s open streams at once when the key is revoked on this instance', async () => {
    const c = await newKey();
    const [one, two] = [await open(c.key), await open(c.key)];
    const other = await open((await newKey()).key);
    await until(() => streams.openStreamsOf(c.id) === 2);
    const revokedAt = Date.now();
    await keys.revokeKey(c.id);
    for (const stream of [one, two]) expect((await within(stream.ended, 2000, 'stream end')) - revokedAt).toBeLessThan(2000);
    expect(streams.openStreamsOf(c.id)).toBe(0);
    // Another key's stream goes on.
    const still = await Promise.race([other.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('open'), 300))]);
    expect(still).toBe('open');
    // And the revoked key opens no new one.
    expect((await open(c.key)).status).toBe(401);
  });

  it('ends them within API_KEY_CACHE_SECONDS when the key is revoked elsewhere (the CLI, another instance)', async () => {
    const d = await newKey();
    const stream = await open(d.key);
    await until(() => streams.openStreamsOf(d.id) === 1);
    // What `api-key:revoke` in another process does: the row changes, this instance is not told.
    const revokedAt = Date.now();
    await t.app.get(DataSource).query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [d.id]);
    const endedAt = await within(stream.ended, (CACHE_SECONDS + 2) * 1000, 'stream end');
    expect(endedAt - revokedAt).toBeLessThan((CACHE_SECONDS + 1.5) * 1000);
    expect(streams.openStreamsOf(d.id)).toBe(0);
  });
});
