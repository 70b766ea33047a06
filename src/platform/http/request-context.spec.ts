import { AsyncLocalStorage } from 'node:async_hooks';
import { Writable } from 'node:stream';
import Fastify, { FastifyInstance } from 'fastify';
import { ClsServiceManager } from 'nestjs-cls';
import { PinoLogger } from 'nestjs-pino';
import { storage as pinoStorage } from 'nestjs-pino/storage';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { CORRELATION_ID } from '@cognition/platform/outbox/outbox.writer';
import { useRequestContext } from './request-context';

interface Line {
  level: number;
  msg: string;
  req?: { id?: string; method?: string; url?: string; headers?: Record<string, string> };
  res?: { statusCode?: number };
  err?: { message?: string };
  responseTime?: number;
}

/** A Fastify app with the hooks and a root logger built as app.module builds it (pino-http options), writing to memory. */
async function appLoggingAt(level: string): Promise<{ app: FastifyInstance; lines: Line[]; root: Logger }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text.trim()) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const root = pinoHttp({ level, redact: ['req.headers.authorization'] }, sink).logger;
  const cls = ClsServiceManager.getClsService();
  // What handlers see: nestjs-pino's PinoLogger (as Nest's Logger reaches it) and the CLS correlation id.
  const inRequest = new PinoLogger({ pinoHttp: { level: 'silent' } });
  const app = Fastify({ genReqId: (req) => String(req.headers['x-request-id'] ?? 'generated-id') });
  useRequestContext(app, cls, () => root);
  app.get('/api/v3/things', async () => {
    inRequest.warn('inside the handler');
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { correlationId: cls.get(CORRELATION_ID) };
  });
  app.get('/api/v3/assigned', async (request) => {
    inRequest.assign({ userId: `user-of-${request.id}` });
    await new Promise((resolve) => setTimeout(resolve, 1));
    inRequest.warn('after assign');
    return {};
  });
  // As @nestjs-cls/transactional opens a transaction: a nested CLS context inheriting the request's.
  app.get('/api/v3/nested', async () => {
    await cls.run({ ifNested: 'inherit' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      inRequest.warn('inside a nested context');
    });
    return {};
  });
  app.get('/api/v3/broken', async () => {
    throw new Error('boom');
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  await app.ready();
  return { app, lines, root };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('request context and access log (Fastify hooks)', () => {
  it('runs the handler in a CLS context holding the request id and a request-bound logger; logs the request at info with the key redacted', async () => {
    const { app, lines } = await appLoggingAt('info');
    const res = await app.inject({ method: 'GET', url: '/api/v3/things?x=1', headers: { 'x-request-id': 'req-42', authorization: 'Bearer cos_secret' } });
    await settle();
    expect(res.json()).toEqual({ correlationId: 'req-42' });
    const inside = lines.find((l) => l.msg === 'inside the handler')!;
    expect(inside.req).toMatchObject({ id: 'req-42', method: 'GET', url: '/api/v3/things?x=1' });
    const access = lines.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0].level).toBe(30);
    expect(access[0].req).toMatchObject({ id: 'req-42', method: 'GET', url: '/api/v3/things?x=1' });
    expect(access[0].req?.headers?.authorization).toBe('[Redacted]');
    expect(access[0].res?.statusCode).toBe(200);
    expect(typeof access[0].responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('cos_secret');
    await app.close();
  });

  it('logs a 5xx as "request errored" with err; does not log health probes; a 404 is logged', async () => {
    const { app, lines } = await appLoggingAt('info');
    expect((await app.inject({ method: 'GET', url: '/api/v3/broken' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v3/none' })).statusCode).toBe(404);
    await settle();
    const errored = lines.find((l) => l.msg === 'request errored')!;
    expect(errored.res?.statusCode).toBe(500);
    expect(errored.err?.message).toBe('failed with status code 500');
    expect(lines.filter((l) => l.req?.url?.startsWith('/health'))).toEqual([]);
    expect(lines.find((l) => l.msg === 'request completed')?.req?.url).toBe('/api/v3/none');
    await app.close();
  });

  it('at warn writes no access log but still binds the request to what handlers log', async () => {
    const { app, lines } = await appLoggingAt('warn');
    await app.inject({ method: 'GET', url: '/api/v3/things', headers: { 'x-request-id': 'req-7' } });
    await app.inject({ method: 'GET', url: '/api/v3/broken' });
    await settle();
    expect(lines.map((l) => l.msg)).toEqual(['inside the handler']);
    expect(lines[0].req?.id).toBe('req-7');
    await app.close();
  });

  it('keeps requests apart: concurrent requests see their own correlation id', async () => {
    const { app } = await appLoggingAt('warn');
    const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
    const bodies = await Promise.all(ids.map((id) => app.inject({ method: 'GET', url: '/api/v3/things', headers: { 'x-request-id': id } }).then((r) => r.json())));
    expect(bodies).toEqual(ids.map((correlationId) => ({ correlationId })));
    await app.close();
  });

  it("keeps each request's logger apart, with what PinoLogger.assign added, across awaits", async () => {
    const { app, lines } = await appLoggingAt('warn');
    const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
    await Promise.all(ids.map((id) => app.inject({ method: 'GET', url: '/api/v3/assigned', headers: { 'x-request-id': id } })));
    await settle();
    const after = lines.filter((l) => l.msg === 'after assign') as (Line & { userId?: string })[];
    expect(after).toHaveLength(20);
    for (const line of after) expect(line.userId).toBe(`user-of-${line.req?.id}`);
    expect(new Set(after.map((l) => l.req?.id))).toEqual(new Set(ids));
    await app.close();
  });

  it('binds the request logger inside a nested CLS context (a transaction) too', async () => {
    const { app, lines } = await appLoggingAt('warn');
    await app.inject({ method: 'GET', url: '/api/v3/nested', headers: { 'x-request-id': 'req-tx' } });
    await settle();
    expect(lines.find((l) => l.msg === 'inside a nested context')?.req?.id).toBe('req-tx');
    await app.close();
  });

  it("enters one AsyncLocalStorage per request (the CLS context's), never nestjs-pino's own", async () => {
    const { app, lines } = await appLoggingAt('warn');
    const entered: AsyncLocalStorage<unknown>[] = [];
    const run = AsyncLocalStorage.prototype.run;
    jest.spyOn(AsyncLocalStorage.prototype, 'run').mockImplementation(function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
      entered.push(this);
      return run.apply(this, args);
    });
    try {
      await app.inject({ method: 'GET', url: '/api/v3/things', headers: { 'x-request-id': 'req-one' } });
    } finally {
      jest.restoreAllMocks();
    }
    await settle();
    expect(entered).toHaveLength(1);
    expect(entered[0]).not.toBe(pinoStorage);
    expect(lines.find((l) => l.msg === 'inside the handler')?.req?.id).toBe('req-one');
    await app.close();
  });
});
