import { headersOf } from './api-rate-limiter';
import { MemoryTokenBuckets, outcome, refillAndTake } from './token-bucket';

describe('token bucket', () => {
  const policy = { perSecond: 10, burst: 20 };

  it('refills at the rate, up to the burst, and takes one token', () => {
    expect(refillAndTake(0, 100, policy)).toEqual({ allowed: true, tokens: 0 });
    expect(refillAndTake(0, 50, policy)).toEqual({ allowed: false, tokens: 0.5 });
    expect(refillAndTake(5, 60_000, policy)).toEqual({ allowed: true, tokens: 19 });
    expect(refillAndTake(3, -1000, policy)).toEqual({ allowed: true, tokens: 2 });
  });

  it('lets a burst through, then the sustained rate', () => {
    let now = 0;
    const buckets = new MemoryTokenBuckets(() => now);
    const allowed = () => Array.from({ length: 100 }, () => buckets.takeNow('k', policy)).filter((r) => r.allowed).length;
    expect(allowed()).toBe(20);
    now += 1000;
    expect(allowed()).toBe(10);
    now += 250;
    expect(allowed()).toBe(2);
  });

  it('keeps one bucket per key', () => {
    const buckets = new MemoryTokenBuckets(() => 0);
    for (let i = 0; i < 20; i++) buckets.takeNow('a', policy);
    expect(buckets.takeNow('a', policy).allowed).toBe(false);
    expect(buckets.takeNow('b', policy)).toMatchObject({ allowed: true, remaining: 19 });
  });

  it('says when to retry and when the bucket is full again', () => {
    expect(outcome(false, 0.5, policy)).toEqual({ allowed: false, remaining: 0, resetSeconds: 2, retryAfterSeconds: 1 });
    expect(outcome(false, 0, { perSecond: 0.5, burst: 1 } as never)).toMatchObject({ retryAfterSeconds: 2 });
    expect(outcome(true, 19, policy)).toEqual({ allowed: true, remaining: 19, resetSeconds: 1, retryAfterSeconds: 0 });
  });

  it('forgets buckets that have refilled completely', () => {
    let now = 0;
    const buckets = new MemoryTokenBuckets(() => now);
    buckets.takeNow('a', policy);
    buckets.takeNow('b', { perSecond: 1, burst: 100 });
    for (let i = 0; i < 50; i++) buckets.takeNow('b', { perSecond: 1, burst: 100 });
    now += 1000;
    buckets.sweep();
    expect(buckets.size).toBe(1);
  });

  it('renders the draft-06 RateLimit-* fields, and Retry-After when refused', () => {
    expect(headersOf(outcome(true, 19, policy), policy)).toEqual({
      'ratelimit-policy': '20;w=2;r=10',
      'ratelimit-limit': '20',
      'ratelimit-remaining': '19',
      'ratelimit-reset': '1',
    });
    expect(headersOf(outcome(false, 0.2, policy), policy)).toMatchObject({ 'ratelimit-remaining': '0', 'ratelimit-reset': '1', 'retry-after': '1' });
  });
});
