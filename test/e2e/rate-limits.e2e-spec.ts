import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, Server, Socket } from 'node:net';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const LIST = '/api/v3/workflows';

/** Another instance of the app on the same database and environment (as a second API process would be). */
async function secondInstance(): Promise<{ app: NestFastifyApplication; url: string }> {
  const { AppModule } = await import('@cognition/app/app.module');
  const { createApp } = await import('@cognition/platform/http/create-app');
  const app = await createApp(AppModule);
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

type Call = () => Promise<{ status: number; headers: Headers; body: unknown }>;

/** Requests one after the other until the first 429 (at most `max`): the statuses, the 429, and how long it all took. */
async function untilLimited(call: Call, max = 60): Promise<{ allowed: number; limited: Awaited<ReturnType<Call>>; seconds: number }> {
  const started = Date.now();
  for (let allowed = 0; allowed < max; allowed++) {
    const res = await call();
    if (res.status === 429) return { allowed, limited: res, seconds: (Date.now() - started) / 1000 };
    expect(res.status).toBe(200);
  }
  throw new Error(`no 429 after ${max} requests`);
}

/**
 * A full bucket of `burst` tokens, `perSecond` back each second: before its first 429 a client gets
 * at least `burst` answers and no more than the tokens that can have come back meanwhile. (A
 * machine under load stretches the requests: the bound follows the time they took, so the test does
 * not depend on how fast they were.)
 */
function expectBucket(run: { allowed: number; seconds: number }, burst: number, perSecond: number): void {
  expect(run.allowed).toBeGreaterThanOrEqual(burst);
  expect(run.allowed).toBeLessThanOrEqual(burst + Math.ceil(run.seconds * perSecond));
}

/** SPEC section 1, "Rate limits and quotas": a token bucket per API key. */
describe('rate limits per API key (e2e, per instance)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // 5 requests at once, then one a second; no Redis: this instance's buckets.
    t = await startTestApp('rate-limits', { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '5', WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After and RateLimit-* over the burst, and leaves another tenant alone', async () => {
    const a = apiClient(t.url, (await t.newTenant('a')).key);
    const b = apiClient(t.url, (await t.newTenant('b')).key);
    const first = await a('GET', LIST);
    expect(first.status).toBe(200);
    expect(Object.fromEntries(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-policy'].map((h) => [h, first.headers.get(h)]))).toEqual({
      'ratelimit-limit': '5',
      'ratelimit-remaining': '4',
      'ratelimit-policy': '5;w=5;r=1',
    });
    const run = await untilLimited(() => a('GET', LIST));
    expectBucket({ allowed: run.allowed + 1, seconds: run.seconds }, 5, 1);
    const limited = run.limited;
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-limit')).toBe('5');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);

    // Tenant b, at the same time, has its own bucket.
    const other = await b('GET', LIST);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('4');

    // A second later a token is back (and as many as came back since, no more).
    await new Promise((r) => setTimeout(r, 1100));
    const again = await untilLimited(() => a('GET', LIST));
    expect(again.allowed).toBeGreaterThanOrEqual(1);
    expect(again.allowed).toBeLessThanOrEqual(Math.ceil(1.1 + again.seconds) + 1);
  });

  it('does not limit /health/* and /metrics', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
      const metrics = await fetch(`${t.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('does not count unauthenticated requests against a key', async () => {
    const { key } = await t.newTenant('c');
    const prefix = key.slice(0, 13);
    for (let i = 0; i < 10; i++) {
      expect((await apiClient(t.url, `${prefix}_wrong-secret-wrong-secret`)('GET', LIST)).status).toBe(401);
      expect((await apiClient(t.url, '')('GET', LIST)).status).toBe(401);
    }
    const res = await apiClient(t.url, key)('GET', LIST);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-remaining')).toBe('4');
  });

  it('applies a tenant’s override', async () => {
    const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
    const { tenantId, key } = await t.newTenant('d');
    await t.app.get(ApiKeyService).setTenantRateLimit(tenantId, { perSecond: 1, burst: 2 });
    const d = apiClient(t.url, key);
    expectBucket(await untilLimited(() => d('GET', LIST)), 2, 1);
    const res = await d('GET', LIST);
    expect(res.headers.get('ratelimit-limit')).toBe('2');
    await expect(t.app.get(ApiKeyService).setTenantRateLimit(tenantId, { perSecond: 0, burst: null })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('rate limits shared through Redis (e2e, two instances)', () => {
  let t: TestApp;
  let second: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    // The app's modules read the environment when they load: a fresh registry for this app's environment.
    jest.resetModules();
    t = await startTestApp('rate-limits-redis', { REDIS_URL, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '6', WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false' });
    second = await secondInstance();
    // Both instances connect to Redis at start; until then a take would use the per-instance insurance.
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await second?.app.close();
    await t?.close();
  });

  it('counts one key’s requests to either instance against one bucket', async () => {
    // Key ids are fresh UUIDv7s, so their Redis keys are unique to this run.
    const { key } = await t.newTenant('shared');
    const one = apiClient(t.url, key);
    const two = apiClient(second.url, key);
    let i = 0;
    const run = await untilLimited(() => (i++ % 2 ? two : one)('GET', LIST));
    // One bucket for both: 6 (and what came back meanwhile), where a bucket per instance would allow 12.
    expectBucket(run, 6, 1);
    expect(run.allowed).toBeLessThan(12);
    const other = await apiClient(second.url, (await t.newTenant('other')).key)('GET', LIST);
    expect(other.status).toBe(200);
  });
});

describe('rate limits with Redis unreachable (e2e)', () => {
  let t: TestApp;
  let hung: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // A "Redis" that accepts connections and never answers.
    hung = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const port = (hung.address() as { port: number }).port;
    jest.resetModules();
    t = await startTestApp('rate-limits-no-redis', { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3', WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => hung?.close(r));
  });

  it('still answers, limiting per instance (the insurance)', async () => {
    const api = apiClient(t.url, t.key);
    expectBucket(await untilLimited(() => api('GET', LIST)), 3, 1);
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
  });
});
