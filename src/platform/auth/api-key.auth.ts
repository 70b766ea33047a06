import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { limitsOf } from '@cognition/platform/limits/limits';
import { ApiRateLimiter, LimitedTake } from '@cognition/platform/rate-limit/api-rate-limiter';
import { ApiKeyPrincipal, ApiKeyService } from './api-key.service';
import { PUBLIC_ROUTE } from './public.decorator';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: ApiKeyPrincipal;
}

const BEARER = /^Bearer\s+(\S+)$/i;

interface HeaderReply {
  header(name: string, value: string): unknown;
}

/**
 * Every API route needs `Authorization: Bearer <key>` unless marked @Public() (health, metrics), and
 * then takes one token of its key's bucket (SPEC section 1, "Rate limits and quotas"): over the
 * limit it is a 429 RATE_LIMITED with Retry-After. Requests that are not authenticated are refused
 * before the bucket, so they never count against a key. Every authenticated response carries the
 * RateLimit-* headers.
 *
 * A Fastify `preHandler` hook of each route (`useApiKeyAuth`), not a Nest guard: a global guard
 * puts every request through Nest's guard chain (an execution context and three promises), about
 * 1.7 % of the instructions of a one-resource GET (docs/benchmarks.md, "Session of 2026-12-05,
 * 14:07–17:00 UTC"). It runs after the body is parsed and inside the request's CLS context, where
 * the guard ran.
 */
@Injectable()
export class ApiKeyAuth implements OnApplicationShutdown {
  private readonly limiter: ApiRateLimiter;

  constructor(
    private readonly keys: ApiKeyService,
    config: AppConfig,
  ) {
    const limits = limitsOf(config.all);
    this.limiter = new ApiRateLimiter({ perSecond: limits.ratePerSecond, burst: limits.rateBurst, redisUrl: config.get('REDIS_URL') });
  }

  /**
   * Sets `request.principal` or throws (401, 429). With the key cached and the buckets in this
   * process, answers without a promise (the hot path of every request).
   */
  authenticate(request: AuthenticatedRequest, reply: HeaderReply): void | Promise<void> {
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? BEARER.exec(value) : null;
    if (!match) throw new DomainError('UNAUTHORIZED', 'Missing Authorization: Bearer <api key> header');
    // A key verified in the last API_KEY_CACHE_SECONDS costs no query.
    const cached = this.keys.cached(match[1]);
    if (cached) return this.admit(request, reply, cached);
    return this.keys.verify(match[1]).then((principal) => {
      if (!principal) throw new DomainError('UNAUTHORIZED', 'The API key is unknown or revoked');
      return this.admit(request, reply, principal);
    });
  }

  /** Takes a token of the key's bucket: the RateLimit-* headers either way, a 429 when it is empty. */
  private admit(request: AuthenticatedRequest, reply: HeaderReply, principal: ApiKeyPrincipal): void | Promise<void> {
    const take = this.limiter.take(principal.keyId, principal.rateLimit);
    if (take instanceof Promise) return take.then((t) => this.settle(request, reply, principal, t));
    this.settle(request, reply, principal, take);
  }

  private settle(request: AuthenticatedRequest, reply: HeaderReply, principal: ApiKeyPrincipal, take: LimitedTake): void {
    for (const name in take.headers) reply.header(name, take.headers[name]);
    if (!take.allowed) {
      throw new DomainError('RATE_LIMITED', `Rate limit of this API key exceeded (${take.headers['ratelimit-policy']}); retry in ${take.retryAfterSeconds} s`);
    }
    request.principal = principal;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close();
  }
}

/** Whether a route is authenticated: every route under the API prefix, unless @Public(). */
export function needsApiKey(route: Pick<RouteOptions, 'url' | 'config'>, prefix: string): boolean {
  const url = route.url;
  const underPrefix = url === prefix || url.startsWith(`${prefix}/`);
  return underPrefix && (route.config as Record<string, unknown> | undefined)?.[PUBLIC_ROUTE] !== true;
}

/**
 * Adds the API-key check to every route `needsApiKey` selects, as the route's first own
 * `preHandler` (after the global ones: the request context is already entered). Routes outside the
 * prefix (health, metrics, the OpenAPI document, the dashboard) and a request no route matches
 * (404) are not checked, as they were not by the guard.
 */
export function useApiKeyAuth(fastify: FastifyInstance, auth: ApiKeyAuth, prefix: string): void {
  const hook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    let pending: void | Promise<void>;
    try {
      pending = auth.authenticate(request as unknown as AuthenticatedRequest, reply);
    } catch (error) {
      return done(error as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  };
  // A stable request shape: the principal is set on every authenticated request.
  fastify.decorateRequest('principal', null);
  fastify.addHook('onRoute', (route) => {
    if (!needsApiKey(route, prefix)) return;
    const own = route.preHandler;
    route.preHandler = own ? [hook, ...(Array.isArray(own) ? own : [own])] : [hook];
  });
}

/** What `@TenantId()` / `@ApiKeyId()` answer (401) on a request whose key nobody checked. */
export const NO_PRINCIPAL = 'No API key was checked for this request (a @Public() route, or an application not served by createApp)';
