import { CanActivate, ExecutionContext, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { limitsOf } from '@cognition/platform/limits/limits';
import { ApiRateLimiter, LimitedTake } from '@cognition/platform/rate-limit/api-rate-limiter';
import { ApiKeyPrincipal, ApiKeyService } from './api-key.service';
import { IS_PUBLIC } from './public.decorator';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: ApiKeyPrincipal;
}

const BEARER = /^Bearer\s+(\S+)$/i;

interface HeaderReply {
  header(name: string, value: string): unknown;
}

/**
 * Every route needs `Authorization: Bearer <key>` unless marked @Public() (health, metrics), and
 * then takes one token of its key's bucket (SPEC section 1, "Rate limits and quotas"): over the
 * limit it is a 429 RATE_LIMITED with Retry-After. Requests that are not authenticated are refused
 * before the bucket, so they never count against a key. Every authenticated response carries the
 * RateLimit-* headers.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate, OnApplicationShutdown {
  private readonly limiter: ApiRateLimiter;
  /** Whether a handler is @Public(), looked up once per handler (routes are fixed at start-up). */
  private readonly publicHandlers = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    config: AppConfig,
  ) {
    const limits = limitsOf(config.all);
    this.limiter = new ApiRateLimiter({ perSecond: limits.ratePerSecond, burst: limits.rateBurst, redisUrl: config.get('REDIS_URL') });
  }

  /** With the key cached and the buckets in this process, answers without a promise (the hot path of every request). */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? BEARER.exec(value) : null;
    if (!match) throw new DomainError('UNAUTHORIZED', 'Missing Authorization: Bearer <api key> header');
    const reply = http.getResponse<HeaderReply>();
    // A key verified in the last API_KEY_CACHE_SECONDS costs no query.
    const cached = this.keys.cached(match[1]);
    if (cached) return this.admit(request, reply, cached);
    return this.keys.verify(match[1]).then((principal) => {
      if (!principal) throw new DomainError('UNAUTHORIZED', 'The API key is unknown or revoked');
      return this.admit(request, reply, principal);
    });
  }

  /** Takes a token of the key's bucket: the RateLimit-* headers either way, a 429 when it is empty. */
  private admit(request: AuthenticatedRequest, reply: HeaderReply, principal: ApiKeyPrincipal): boolean | Promise<boolean> {
    const take = this.limiter.take(principal.keyId, principal.rateLimit);
    if (take instanceof Promise) return take.then((t) => this.settle(request, reply, principal, t));
    return this.settle(request, reply, principal, take);
  }

  private settle(request: AuthenticatedRequest, reply: HeaderReply, principal: ApiKeyPrincipal, take: LimitedTake): boolean {
    for (const name in take.headers) reply.header(name, take.headers[name]);
    if (!take.allowed) {
      throw new DomainError('RATE_LIMITED', `Rate limit of this API key exceeded (${take.headers['ratelimit-policy']}); retry in ${take.retryAfterSeconds} s`);
    }
    request.principal = principal;
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.publicHandlers.get(handler);
    if (known === undefined) {
      known = !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, context.getClass()]);
      this.publicHandlers.set(handler, known);
    }
    return known;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close();
  }
}
