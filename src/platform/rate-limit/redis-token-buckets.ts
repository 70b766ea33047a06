import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { BucketPolicy, BucketTake, MemoryTokenBuckets, TokenBuckets, outcome } from './token-bucket';

/**
 * One token bucket in a Redis hash, refilled and taken atomically (Lua runs alone on the server).
 * The clock is Redis's (`TIME`), so instances with skewed clocks still agree. The key expires once
 * the bucket would be full again: a full bucket is the same as no key.
 * Returns {allowed (0/1), tokens left as a string (Lua numbers become integers in replies)}.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
local elapsed = now - at
if elapsed < 0 then elapsed = 0 end
tokens = math.min(burst, tokens + elapsed * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {allowed, tostring(tokens)}
`;

const SKIP_AFTER_FAILURE_MS = 1000;

type TakeCommand = (key: string, rate: number, burst: number) => Promise<[number, string]>;

export interface RedisBucketsOptions {
  /** Prefix of every key (tests use a unique one per run). */
  prefix?: string;
  /** A take that Redis has not answered after this long uses the insurance (ms). */
  timeoutMs?: number;
}

/**
 * Buckets shared by every instance through Redis (REDIS_URL). Redis is never a dependency of the
 * API: when it is unreachable or slow, the take falls back to this instance's memory buckets (the
 * "insurance"), so each instance limits on its own until Redis answers again. Commands are not
 * queued while disconnected (`enableOfflineQueue: false`): they fail at once and use the insurance.
 */
export class RedisTokenBuckets implements TokenBuckets {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly takeCommand: TakeCommand;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private lastWarning = 0;
  /** After a failed take, Redis is left alone this long (a hung Redis must not add its timeout to every request). */
  private skipUntil = 0;

  constructor(
    url: string,
    readonly insurance: MemoryTokenBuckets = new MemoryTokenBuckets(),
    options: RedisBucketsOptions = {},
  ) {
    this.prefix = options.prefix ?? 'cognitionos:ratelimit:';
    this.timeoutMs = options.timeoutMs ?? 250;
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: this.timeoutMs,
      // Keep trying to reconnect, at most every 2 s; meanwhile every take uses the insurance.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
      // No INFO round trip before the first command: a Redis that accepts connections and hangs is
      // found by the command timeout (then skipped for a second), and nothing lingers after close().
      enableReadyCheck: false,
    });
    this.redis.on('error', (error: Error) => this.warn(error));
    this.redis.defineCommand('cognitionosTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.takeCommand = (this.redis as unknown as { cognitionosTakeToken: TakeCommand }).cognitionosTakeToken.bind(this.redis);
  }

  async take(key: string, policy: BucketPolicy): Promise<BucketTake> {
    if (this.skipUntil > Date.now()) return this.insurance.takeNow(key, policy);
    try {
      const [allowed, tokens] = await this.takeCommand(this.prefix + key, policy.perSecond, policy.burst);
      return outcome(allowed === 1, Number(tokens), policy);
    } catch (error) {
      this.skipUntil = Date.now() + SKIP_AFTER_FAILURE_MS;
      this.warn(error as Error);
      return this.insurance.takeNow(key, policy);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.insurance.close();
  }

  /** One line per 30 s at most while Redis is away (an outage would otherwise log every request). */
  private warn(error: Error): void {
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.logger.warn(`Redis rate limiting unavailable, limiting per instance meanwhile: ${error?.message ?? String(error)}`);
  }
}
