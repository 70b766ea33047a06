import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClsService } from 'nestjs-cls';
import { Logger } from 'nestjs-pino';
import { REQUEST_ID_HEADER } from './request-id';
import { ApiKeyService } from '@cognition/platform/auth/api-key.service';
import { ApiKeyAuth, useApiKeyAuth } from '@cognition/platform/auth/api-key.auth';
import { AppConfig } from '@cognition/config/app-config';
import { ProblemDetailsFilter } from '@cognition/platform/errors/problem-details.filter';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { limitsOf } from '@cognition/platform/limits/limits';
import { checkHeaders, checkUrl, clientErrorHandler, frameworkErrorHandler } from './edge';
import { useJsonBodyParser } from './json-body-parser';
import { useRequestContext } from './request-context';
import { setupOpenApi } from './openapi';
import { useDashboard } from './dashboard';
import { useLeanRoutes } from './lean-routes';

export const API_PREFIX = 'api/v3';
/** The body limit of a route that sets none, until the limits table's `REQUEST_BODY_MAX_BYTES` applies (see `onRoute` below). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  /** Buffer Nest's own start-up logs until the pino logger is ready (default true). */
  bufferLogs?: boolean;
}

/** Builds the HTTP application exactly as `main.ts` serves it; tests and benchmarks use it too. */
export async function createApp(rootModule: Type<unknown>, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // Route handlers without the promises Nest's router makes for guards, pipes and interceptors a route does not have (lean-routes.ts).
  useLeanRoutes();
  const adapter = new FastifyAdapter({
    // No Express-style middleware anywhere (request context and logging are Fastify hooks): without
    // @fastify/middie, no request walks its (empty) middleware chain.
    skipMiddie: true,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const sent = req.headers[REQUEST_ID_HEADER];
      // A random UUID: request ids are not indexed anywhere, so they need no time order (UUIDv7 costs more).
      return typeof sent === 'string' && sent.length > 0 && sent.length <= 128 ? sent : randomUUID();
    },
    // Errors raised before routing or by Node's HTTP parser are problem+json like every other.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });
  // An error while building the app is thrown to the caller (main.ts prints one line), not logged with its stack and exited on.
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, { bufferLogs: options.bufferLogs ?? true, autoFlushLogs: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  const limits = limitsOf(app.get(AppConfig).all);

  fastify.addHook('onRequest', (request, reply, done) => {
    request.raw.headers[REQUEST_ID_HEADER] = request.id;
    reply.header(REQUEST_ID_HEADER, request.id);
    // The edge (DESIGN.md, "Limits and the edge"): a URL or header the core cannot store or process
    // is a 400 before any handler runs; the body is checked by its parser (json-body-parser.ts).
    done(checkUrl(request.raw.url ?? '/') ?? checkHeaders(request.headers) ?? undefined);
  });
  useRequestContext(fastify, app.get(ClsService));
  // Every route under the prefix needs an API key unless @Public(): a preHandler of the route (api-key.auth.ts).
  useApiKeyAuth(fastify, app.get(ApiKeyAuth), `/${API_PREFIX}`);
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.observeLabels([request.method, route, String(reply.statusCode)], reply.elapsedTime / 1000);
    done();
  });
  // A route may raise its own body limit with `@RouteConfig({ bodyLimit })` (POST /memories takes batches of vectors).
  // Every other route takes the limits table's REQUEST_BODY_MAX_BYTES.
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    route.bodyLimit = typeof limit === 'number' ? limit : (route.bodyLimit ?? limits.requestBodyBytes);
  });
  useJsonBodyParser(app, { maxDepth: limits.jsonDepth });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.useGlobalFilters(new ProblemDetailsFilter());
  // No global pipe: DTO bodies and queries declare theirs (@ValidBody, @ValidQuery in platform/errors/validation.pipe.ts).
  setupOpenApi(app as INestApplication);
  // The web dashboard at /ui (outside the prefix, public, not in OpenAPI): dist/ui, built by `npm run build`.
  useDashboard(fastify);

  const bootstrapKey = app.get(AppConfig).get('BOOTSTRAP_API_KEY');
  if (bootstrapKey) await app.get(ApiKeyService).bootstrap(bootstrapKey);
  return app;
}
