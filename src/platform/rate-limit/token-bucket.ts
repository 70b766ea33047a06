/** How fast one bucket refills and how much it holds (SPEC section 1, "Rate limits and quotas"). */
export interface BucketPolicy {
  /** Tokens added per second (RATE_LIMIT_PER_SECOND or the tenant's override). */
  perSecond: number;
  /** Size of the bucket: the largest burst (RATE_LIMIT_BURST or the tenant's override). */
  burst: number;
}

/** The outcome of taking one token. */
export interface BucketTake {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again (≥ 0, rounded up). */
  resetSeconds: number;
  /** When refused: seconds until one token is there (≥ 1, rounded up); 0 when allowed. */
  retryAfterSeconds: number;
}

/** Where buckets live: this process's memory, or Redis shared by every instance. */
export interface TokenBuckets {
  take(key: string, policy: BucketPolicy): Promise<BucketTake>;
  close(): Promise<void>;
}

/** The state of one bucket after the refill and the take, in the shape both stores compute. */
export function outcome(allowed: boolean, tokens: number, policy: BucketPolicy): BucketTake {
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.max(0, Math.ceil((policy.burst - tokens) / policy.perSecond)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / policy.perSecond)),
  };
}

/**
 * The refill-then-take step of a token bucket: `tokens` after `elapsedMs` since the last take, then
 * one token taken when there is one. Pure, shared by the memory store and mirrored by the Lua script.
 */
export function refillAndTake(tokens: number, elapsedMs: number, policy: BucketPolicy): { allowed: boolean; tokens: number } {
  const refilled = Math.min(policy.burst, tokens + (Math.max(0, elapsedMs) * policy.perSecond) / 1000);
  return refilled >= 1 ? { allowed: true, tokens: refilled - 1 } : { allowed: false, tokens: refilled };
}

interface MemoryBucket {
  tokens: number;
  at: number;
}

/**
 * Buckets in this process: a Map lookup and some arithmetic per request. Used when REDIS_URL is
 * unset, and as the insurance when Redis does not answer. A bucket that has refilled completely
 * holds no information, so the sweep (every 10,000 takes once the map is large) drops it.
 */
export class MemoryTokenBuckets implements TokenBuckets {
  private readonly buckets = new Map<string, MemoryBucket & { fullAt: number }>();
  private takes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, policy: BucketPolicy): Promise<BucketTake> {
    return Promise.resolve(this.takeNow(key, policy));
  }

  takeNow(key: string, policy: BucketPolicy): BucketTake {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const result = bucket ? refillAndTake(bucket.tokens, now - bucket.at, policy) : refillAndTake(policy.burst, 0, policy);
    const fullAt = now + ((policy.burst - result.tokens) * 1000) / policy.perSecond;
    if (bucket) {
      bucket.tokens = result.tokens;
      bucket.at = now;
      bucket.fullAt = fullAt;
    } else {
      this.buckets.set(key, { tokens: result.tokens, at: now, fullAt });
    }
    if (++this.takes % 10_000 === 0 && this.buckets.size > 10_000) this.sweep(now);
    return outcome(result.allowed, result.tokens, policy);
  }

  /** Number of buckets held (tests). */
  get size(): number {
    return this.buckets.size;
  }

  sweep(now: number = this.now()): void {
    for (const [key, bucket] of this.buckets) if (bucket.fullAt <= now) this.buckets.delete(key);
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }
}
