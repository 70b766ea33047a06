import { BucketPolicy, BucketTake, MemoryTokenBuckets, TokenBuckets } from './token-bucket';
import { RedisTokenBuckets } from './redis-token-buckets';

/** A tenant's override of the instance defaults (null: the default). */
export interface RateLimitOverride {
  perSecond: number | null;
  burst: number | null;
}

export interface RateLimiterSettings {
  perSecond: number;
  burst: number;
  /** When set, buckets are shared by every instance through Redis; otherwise each instance has its own. */
  redisUrl?: string;
  redisPrefix?: string;
}

/** The response headers of IETF draft-ietf-httpapi-ratelimit-headers-06 (separate fields), plus Retry-After on a 429. */
export type RateLimitHeaders = Record<string, string>;

/**
 * Rate limits per API key (SPEC section 1): a token bucket per key that refills at `perSecond` and
 * holds `burst`, overridable per tenant. Headers follow draft-ietf-httpapi-ratelimit-headers-06:
 * `RateLimit-Limit` (the bucket size), `RateLimit-Remaining` (whole tokens left), `RateLimit-Reset`
 * (seconds until the bucket is full again) and `RateLimit-Policy` (`<burst>;w=<seconds to refill
 * it>`, with the refill rate as an extension parameter `r`).
 */
export class ApiRateLimiter {
  readonly shared: boolean;

  constructor(
    private readonly settings: RateLimiterSettings,
    private readonly buckets: TokenBuckets = settings.redisUrl
      ? new RedisTokenBuckets(settings.redisUrl, new MemoryTokenBuckets(), { prefix: settings.redisPrefix })
      : new MemoryTokenBuckets(),
  ) {
    this.shared = buckets instanceof RedisTokenBuckets;
  }

  policyOf(override?: RateLimitOverride | null): BucketPolicy {
    return { perSecond: override?.perSecond ?? this.settings.perSecond, burst: override?.burst ?? this.settings.burst };
  }

  /** Takes one token of the key's bucket; the answer carries the headers to send either way. */
  async take(keyId: string, override?: RateLimitOverride | null): Promise<BucketTake & { headers: RateLimitHeaders }> {
    const policy = this.policyOf(override);
    const result = await this.buckets.take(keyId, policy);
    return { ...result, headers: headersOf(result, policy) };
  }

  close(): Promise<void> {
    return this.buckets.close();
  }
}

export function headersOf(result: BucketTake, policy: BucketPolicy): RateLimitHeaders {
  const headers: RateLimitHeaders = {
    'ratelimit-policy': `${policy.burst};w=${Math.max(1, Math.ceil(policy.burst / policy.perSecond))};r=${policy.perSecond}`,
    'ratelimit-limit': String(policy.burst),
    'ratelimit-remaining': String(result.remaining),
    'ratelimit-reset': String(result.allowed ? result.resetSeconds : result.retryAfterSeconds),
  };
  if (!result.allowed) headers['retry-after'] = String(result.retryAfterSeconds);
  return headers;
}
