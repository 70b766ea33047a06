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
  private readonly defaultPolicy: BucketPolicy;
  private readonly defaultPolicyHeader: string;

  constructor(
    private readonly settings: RateLimiterSettings,
    private readonly buckets: TokenBuckets = settings.redisUrl
      ? new RedisTokenBuckets(settings.redisUrl, new MemoryTokenBuckets(), { prefix: settings.redisPrefix })
      : new MemoryTokenBuckets(),
  ) {
    this.shared = buckets instanceof RedisTokenBuckets;
    this.defaultPolicy = { perSecond: settings.perSecond, burst: settings.burst };
    this.defaultPolicyHeader = policyHeader(this.defaultPolicy);
  }

  policyOf(override?: RateLimitOverride | null): BucketPolicy {
    if (!override) return this.defaultPolicy;
    return { perSecond: override.perSecond ?? this.settings.perSecond, burst: override.burst ?? this.settings.burst };
  }

  /**
   * Takes one token of the key's bucket; the answer carries the headers to send either way. With
   * the buckets in this process (no REDIS_URL) it answers at once, without a promise: this runs on
   * every request.
   */
  take(keyId: string, override?: RateLimitOverride | null): LimitedTake | Promise<LimitedTake> {
    const policy = this.policyOf(override);
    if (this.buckets instanceof MemoryTokenBuckets) return this.answer(this.buckets.takeNow(keyId, policy), policy);
    return this.buckets.take(keyId, policy).then((result) => this.answer(result, policy));
  }

  private answer(result: BucketTake, policy: BucketPolicy): LimitedTake {
    const policyValue = policy === this.defaultPolicy ? this.defaultPolicyHeader : policyHeader(policy);
    return { ...result, headers: headersOf(result, policy, policyValue) };
  }

  close(): Promise<void> {
    return this.buckets.close();
  }
}

export type LimitedTake = BucketTake & { headers: RateLimitHeaders };

function policyHeader(policy: BucketPolicy): string {
  return `${policy.burst};w=${Math.max(1, Math.ceil(policy.burst / policy.perSecond))};r=${policy.perSecond}`;
}

export function headersOf(result: BucketTake, policy: BucketPolicy, policyValue: string = policyHeader(policy)): RateLimitHeaders {
  const headers: RateLimitHeaders = {
    'ratelimit-policy': policyValue,
    'ratelimit-limit': String(policy.burst),
    'ratelimit-remaining': String(result.remaining),
    'ratelimit-reset': String(result.allowed ? result.resetSeconds : result.retryAfterSeconds),
  };
  if (!result.allowed) headers['retry-after'] = String(result.retryAfterSeconds);
  return headers;
}
