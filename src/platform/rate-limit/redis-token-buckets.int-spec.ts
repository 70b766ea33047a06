import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { MemoryTokenBuckets } from './token-bucket';
import { RedisTokenBuckets } from './redis-token-buckets';

/** Needs Redis at REDIS_TEST_URL (default redis://127.0.0.1:6379; scripts/start-redis.sh starts one). */
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Counts the takes that went to Redis (the others were answered by the insurance alone). */
function redisCalls(buckets: RedisTokenBuckets): () => number {
  const spy = jest.spyOn(buckets as unknown as { takeCommand: (...args: unknown[]) => Promise<unknown> }, 'takeCommand');
  return () => spy.mock.calls.length;
}

describe('RedisTokenBuckets (real Redis)', () => {
  const prefix = `cognitionos-test:${randomUUID()}:`;
  const policy = { perSecond: 1, burst: 5 };
  let a: RedisTokenBuckets;
  let b: RedisTokenBuckets;

  beforeAll(async () => {
    a = new RedisTokenBuckets(REDIS_URL, new MemoryTokenBuckets(), { prefix, timeoutMs: 2000 });
    b = new RedisTokenBuckets(REDIS_URL, new MemoryTokenBuckets(), { prefix, timeoutMs: 2000 });
    // Wait until both are connected (until then a take would use the insurance).
    for (const buckets of [a, b]) {
      const redis = (buckets as unknown as { redis: { status: string; once(event: string, cb: () => void): void } }).redis;
      if (redis.status !== 'ready') await new Promise<void>((r) => redis.once('ready', r));
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('shares one bucket between two instances', async () => {
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await (i % 2 ? a : b).take('key-1', policy));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.slice(0, 5).map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(results[7]).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // Nothing came from the insurance.
    expect(a.insurance.size + b.insurance.size).toBe(0);
  });

  it('refills at the rate and keeps keys apart', async () => {
    expect((await a.take('key-2', policy)).remaining).toBe(4);
    await new Promise((r) => setTimeout(r, 1100));
    // key-1 was empty: after 1.1 s one token (and a little) is back.
    expect(await b.take('key-1', policy)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await a.take('key-1', policy)).toMatchObject({ allowed: false });
  });
});

describe('RedisTokenBuckets with Redis unreachable', () => {
  let blackhole: Server;
  let port: number;

  beforeAll(async () => {
    // A port that accepts connections and never answers (a hung Redis), and then a closed one.
    blackhole = createServer(() => undefined);
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    port = (blackhole.address() as { port: number }).port;
  });
  afterAll(async () => {
    blackhole.close();
  });

  it('limits per instance with the insurance when Redis does not answer', async () => {
    const buckets = new RedisTokenBuckets(`redis://127.0.0.1:${port}`, new MemoryTokenBuckets(), { timeoutMs: 100 });
    const asked = redisCalls(buckets);
    try {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await buckets.take('k', { perSecond: 1, burst: 3 }));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      // Only the first take waited for the hung Redis (its command timeout); the others skipped it.
      expect(asked()).toBe(1);
      expect(buckets.insurance.size).toBe(1);
    } finally {
      await buckets.close();
    }
  });

  it('answers at once when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const buckets = new RedisTokenBuckets(`redis://127.0.0.1:${closedPort}`);
    const asked = redisCalls(buckets);
    try {
      expect(await buckets.take('k', { perSecond: 1, burst: 1 })).toMatchObject({ allowed: true });
      expect(await buckets.take('k', { perSecond: 1, burst: 1 })).toMatchObject({ allowed: false });
      // Nothing queued while disconnected (the first take failed at once), and Redis was skipped after it.
      expect(asked()).toBe(1);
    } finally {
      await buckets.close();
    }
  });
});
