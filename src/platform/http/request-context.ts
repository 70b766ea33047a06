import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClsService, ClsStore } from 'nestjs-cls';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import type { Logger } from 'pino';
import { CORRELATION_ID } from '@cognition/platform/outbox/outbox.writer';

/**
 * The per-request context and the access log, as two Fastify hooks instead of Express-style
 * middleware (pino-http through middie) and a Nest interceptor (nestjs-cls): the same behaviour at a
 * fraction of the cost per request.
 *
 * - `preHandler`: the handler, its guards, pipes and exception filter run inside a CLS context
 *   holding the correlation id (the request id; the outbox stamps it on events) and nestjs-pino's
 *   request store (read from there, see `readLogStoreFromCls`), so every log line written while
 *   handling the request carries `req` (id, method, url, headers with `authorization` redacted) as
 *   pino-http's child logger did.
 *   That child logger is only built when something logs (the first `logger` read), not per request.
 * - `onResponse`: the access log line pino-http wrote (`request completed`, or `request errored`
 *   with `err` for a 5xx, at info, with `res` and `responseTime` in ms), unless info is off or the
 *   URL is a health probe or a metrics scrape; `onRequestAbort`: `request aborted` (the client left).
 */

/** The root logger: pino-http's (its serializers and redaction), which nestjs-pino keeps once its module is configured. */
export type RootLogger = () => Logger | undefined;
const nestjsPinoRoot: RootLogger = () => PinoLogger.root;

/** nestjs-pino's request store, with the request's child logger built on first use. */
class RequestLogStore implements Store {
  private child?: Logger;
  responseLogger?: Logger;

  constructor(
    private readonly raw: IncomingMessage,
    private readonly root: RootLogger,
  ) {}

  get logger(): Logger {
    return (this.child ??= this.root()!.child({ req: this.raw }));
  }

  /** nestjs-pino's `PinoLogger.assign` replaces it with a child carrying more fields. */
  set logger(value: Logger) {
    this.child = value;
  }
}

/** Health probes and metrics scrapes are not logged: they come every few seconds. */
export function isProbe(url: string): boolean {
  return url.startsWith('/health') || url.startsWith('/metrics');
}

const LOG_STORE = 'logStore';

type WithStore = FastifyRequest & { [LOG_STORE]: RequestLogStore | null };

function storeOf(request: FastifyRequest, root: RootLogger): RequestLogStore {
  const req = request as WithStore;
  if (req[LOG_STORE]) return req[LOG_STORE];
  // pino's request serializer reads the id from the raw request, as pino-http set it.
  request.raw.id = request.id;
  return (req[LOG_STORE] = new RequestLogStore(request.raw, root));
}

function accessLog(request: FastifyRequest, reply: FastifyReply, root: RootLogger): void {
  if (!root()?.isLevelEnabled('info') || isProbe(request.raw.url ?? '')) return;
  const log = storeOf(request, root).logger;
  const res: ServerResponse = reply.raw;
  const responseTime = Math.round(reply.elapsedTime);
  if (res.statusCode >= 500) {
    log.info({ res, err: new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
  } else {
    log.info({ res, responseTime }, res.writableEnded ? 'request completed' : 'request aborted');
  }
}

/**
 * nestjs-pino's request store, read from the CLS context instead of nestjs-pino's own
 * AsyncLocalStorage. On Node 20 every enabled AsyncLocalStorage adds its own work to every promise
 * and async resource the process creates (a symbol-keyed property per storage, written by the
 * async_hooks init hook), so a second storage entered per request costs every request, and every
 * step the engine runs meanwhile. nestjs-pino reads its store only through `storage.getStore()`
 * (PinoLogger's `logger` and `assign`); with this it finds the store the request's CLS context holds,
 * and its own storage is never entered.
 */
function readLogStoreFromCls(cls: ClsService): void {
  const fromCls = (): Store | undefined => (cls.get() as Record<string, Store | undefined> | undefined)?.[LOG_STORE];
  Object.defineProperty(storage, 'getStore', { value: fromCls, configurable: true, writable: true });
}

export function useRequestContext(fastify: FastifyInstance, cls: ClsService, root: RootLogger = nestjsPinoRoot): void {
  fastify.decorateRequest(LOG_STORE, null);
  readLogStoreFromCls(cls);
  fastify.addHook('preHandler', (request, _reply, done) => {
    // One AsyncLocalStorage per request: the correlation id and the log store in the CLS context.
    cls.runWith({ [CORRELATION_ID]: request.id, [LOG_STORE]: storeOf(request, root) } as ClsStore, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    accessLog(request, reply, root);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (root()?.isLevelEnabled('info') && !isProbe(request.raw.url ?? '')) storeOf(request, root).logger.info('request aborted');
    done();
  });
}
