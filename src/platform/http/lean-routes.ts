import { PipeTransform, StreamableFile } from '@nestjs/common';
import { REDIRECT_METADATA, RENDER_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { HandlerMetadata } from '@nestjs/core/helpers/handler-metadata-storage';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
import { markRejectedByPipes } from '@nestjs/core/router/rejected-by-pipes';
import { RouterExplorer } from '@nestjs/core/router/router-explorer';
import { isObservable } from 'rxjs';

/**
 * Nest's route handlers without the promises they do not need (docs/architecture.md, "Lean routes").
 *
 * For every route Nest builds one function that runs guards, pipes, interceptors, the handler and
 * the response, each step `async` whether it has work or not: a GET with three parameters and no
 * guard, pipe or interceptor created about 28 of its 44 promises in Nest's router. On Node 20 each
 * promise also runs the AsyncLocalStorage hooks of the request context; without them the GET runs
 * about 6–9 % fewer instructions (docs/benchmarks.md, "Session of 2026-12-05, 16:06–19:06 UTC").
 *
 * A route that has no guard, no interceptor, no SSE, no redirect or template, and takes neither
 * `@Res()` nor `@Next()` (every route of ours but the execution event stream) gets a plain
 * function instead: its parameters are read without a promise (a parameter with pipes still goes
 * through Nest's `PipesConsumer`), the handler is called, its result is sent with the adapter's
 * `reply` as Nest sends it (an Observable or a `StreamableFile` takes Nest's own response path),
 * and whatever it throws or rejects with goes to the route's exception filters. Every other route,
 * and every request-scoped controller, is built by Nest as before.
 *
 * This replaces one method of Nest's internal `RouterExplorer` and reads internals of
 * `RouterExecutionContext`; `useLeanRoutes` checks that they are there and leaves Nest as it is
 * otherwise. Written against @nestjs/core 11.2; the e2e suites run every route through it.
 */

type Handler = (req: unknown, res: unknown, next: unknown) => unknown;
type Callback = (...args: unknown[]) => unknown;

interface Param {
  index: number;
  type: RouteParamtypes | string;
  data: unknown;
  metatype?: unknown;
  pipes: PipeTransform[];
  extractValue: (req: unknown, res: unknown, next: unknown) => unknown;
}

interface ExecutionContextInternals {
  getMetadata(instance: object, callback: Callback, methodName: string, moduleKey: string, requestMethod: unknown, contextType: 'http'): HandlerMetadata;
  isPipeable(type: RouteParamtypes | string): boolean;
  guardsContextCreator: { create(instance: object, callback: Callback, moduleKey: string, contextId: object): unknown[] };
  interceptorsContextCreator: { create(instance: object, callback: Callback, moduleKey: string, contextId: object): unknown[] };
  pipesContextCreator: { create(instance: object, callback: Callback, moduleKey: string, contextId: object): PipeTransform[] };
  pipesConsumer: { apply(value: unknown, metadata: { metatype: unknown; type: RouteParamtypes | string; data: unknown }, pipes: PipeTransform[]): Promise<unknown> };
  contextUtils: {
    mergeParamsMetatypes(params: Param[], paramtypes: unknown[]): Param[];
    warnOnMissingParamtypes(instance: object, methodName: string, paramtypes: unknown[] | undefined, pipes: PipeTransform[], params: Param[]): void;
  };
  responseController: { setStatus(res: unknown, code: number): void; setHeaders(res: unknown, headers: unknown[]): void };
  applicationRef: { reply(res: unknown, body: unknown, statusCode?: number): unknown };
}

interface ExplorerInternals {
  executionContextCreator: ExecutionContextInternals;
  exceptionsFilter: { create(instance: object, callback: Callback, moduleKey: string, contextId: object, inquirerId?: string): { next(error: unknown, host: ExecutionContextHost): void } };
}

type CreateCallbackProxy = (this: ExplorerInternals, instance: object, callback: Callback, methodName: string, moduleKey: string, requestMethod: unknown, contextId?: object, inquirerId?: string) => Handler;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';

const nothing = (): undefined => undefined;

/**
 * Fills `args` from the request: synchronously for parameters without pipes; a promise only when
 * some parameter has pipes (all of them run at once, as in Nest).
 */
function argumentsResolver(context: ExecutionContextInternals, pipes: PipeTransform[], params: Param[]) {
  const plan = params.map((param) => ({
    index: param.index,
    extractValue: param.extractValue,
    pipes: context.isPipeable(param.type) ? pipes.concat(param.pipes) : [],
    metadata: { metatype: param.metatype, type: param.type, data: param.data },
  }));
  return (args: unknown[], req: unknown, res: unknown, next: unknown): Promise<unknown> | undefined => {
    let pending: Promise<unknown>[] | undefined;
    for (const param of plan) {
      const value = param.extractValue(req, res, next);
      if (param.pipes.length === 0) {
        args[param.index] = value;
        continue;
      }
      const piped = context.pipesConsumer.apply(value, param.metadata, param.pipes).then((result) => {
        args[param.index] = result;
      });
      (pending ??= []).push(piped);
    }
    if (!pending) return undefined;
    return pending.length === 1 ? pending[0] : Promise.all(pending);
  };
}

/** The lean handler of a route, or undefined when the route needs Nest's own (see the file's comment). */
function leanRoute(
  context: ExecutionContextInternals,
  instance: object,
  callback: Callback,
  methodName: string,
  moduleKey: string,
  requestMethod: unknown,
  fail: (error: unknown, req: unknown, res: unknown, next: unknown) => unknown,
): Handler | undefined {
  const meta = context.getMetadata(instance, callback, methodName, moduleKey, requestMethod, 'http');
  if (meta.isSseHandler || Reflect.getMetadata(RENDER_METADATA, callback) || Reflect.getMetadata(REDIRECT_METADATA, callback)) return undefined;
  if (context.guardsContextCreator.create(instance, callback, moduleKey, STATIC_CONTEXT).length > 0) return undefined;
  if (context.interceptorsContextCreator.create(instance, callback, moduleKey, STATIC_CONTEXT).length > 0) return undefined;
  const params = context.contextUtils.mergeParamsMetatypes(meta.getParamsMetadata(moduleKey, STATIC_CONTEXT) as Param[], meta.paramtypes);
  if (params.some((p) => p.type === RouteParamtypes.RESPONSE || p.type === RouteParamtypes.NEXT)) return undefined;
  const pipes = context.pipesContextCreator.create(instance, callback, moduleKey, STATIC_CONTEXT);
  context.contextUtils.warnOnMissingParamtypes(
    instance,
    methodName,
    meta.paramtypes,
    pipes,
    params.filter((p) => context.isPipeable(p.type)),
  );
  const resolveArguments = params.length > 0 ? argumentsResolver(context, pipes, params) : undefined;
  const { argsLength, httpStatusCode, hasCustomHeaders, responseHeaders } = meta;
  const fnHandleResponse = meta.fnHandleResponse as (result: unknown, res: unknown, req: unknown) => unknown;
  const { responseController, applicationRef } = context;

  return (req, res, next) => {
    // One promise per stage that waits (pipes, the handler), each with the exception filters as its rejection handler.
    const failed = (error: unknown): unknown => fail(error, req, res, next);
    const rejectedByPipes = (error: unknown): unknown => {
      markRejectedByPipes(req);
      return failed(error);
    };
    const args: unknown[] = new Array(argsLength).fill(undefined);
    responseController.setStatus(res, httpStatusCode);
    if (hasCustomHeaders) responseController.setHeaders(res, responseHeaders);
    const send = (result: unknown): unknown => {
      try {
        if (isObservable(result) || result instanceof StreamableFile) return Promise.resolve(fnHandleResponse(result, res, req)).then(nothing, failed);
        const reply = applicationRef.reply(res, result, httpStatusCode);
        // Fastify's reply is a thenable that settles once the response is written; Nest waits for it.
        return isThenable(reply) && (reply as { sent?: boolean }).sent !== true ? Promise.resolve(reply).then(nothing, failed) : undefined;
      } catch (error) {
        return failed(error);
      }
    };
    const run = (): unknown => {
      let result: unknown;
      try {
        result = callback.apply(instance, args);
      } catch (error) {
        return failed(error);
      }
      return isThenable(result) ? Promise.resolve(result).then(send, failed) : send(result);
    };
    let resolving: Promise<unknown> | undefined;
    try {
      resolving = resolveArguments?.(args, req, res, next);
    } catch (error) {
      return rejectedByPipes(error);
    }
    return resolving ? resolving.then(run, rejectedByPipes) : run();
  };
}

const PATCHED = Symbol.for('cognitionos.leanRoutes');

/**
 * Makes Nest build lean handlers (see above) for the routes registered from now on, in every Nest
 * application of this process (`createApp` calls it before the app is initialised). Idempotent.
 * Returns false, changing nothing, when Nest's internals are not the ones this was written for.
 */
export function useLeanRoutes(): boolean {
  const prototype = RouterExplorer.prototype as unknown as Record<string | symbol, unknown>;
  if (prototype[PATCHED]) return true;
  const original = prototype.createCallbackProxy as CreateCallbackProxy | undefined;
  if (typeof original !== 'function') return false;
  const leanProxy: CreateCallbackProxy = function (this: ExplorerInternals, instance, callback, methodName, moduleKey, requestMethod, contextId = STATIC_CONTEXT, inquirerId) {
    const context = this.executionContextCreator;
    if (contextId !== STATIC_CONTEXT || !hasInternals(context) || !this.exceptionsFilter) {
      return original.call(this, instance, callback, methodName, moduleKey, requestMethod, contextId, inquirerId);
    }
    // What the route throws or rejects with goes to its exception filters, as in Nest's RouterProxy.
    const filters = this.exceptionsFilter.create(instance, callback, moduleKey, contextId, inquirerId);
    const fail = (error: unknown, req: unknown, res: unknown, next: unknown): unknown => {
      filters.next(error, new ExecutionContextHost([req, res, next]));
      return res;
    };
    const route = leanRoute(context, instance, callback, methodName, moduleKey, requestMethod, fail);
    return route ?? original.call(this, instance, callback, methodName, moduleKey, requestMethod, contextId, inquirerId);
  };
  prototype.createCallbackProxy = leanProxy;
  prototype[PATCHED] = true;
  return true;
}

function hasInternals(context: Partial<ExecutionContextInternals> | undefined): context is ExecutionContextInternals {
  return (
    !!context &&
    typeof context.getMetadata === 'function' &&
    typeof context.isPipeable === 'function' &&
    typeof context.guardsContextCreator?.create === 'function' &&
    typeof context.interceptorsContextCreator?.create === 'function' &&
    typeof context.pipesContextCreator?.create === 'function' &&
    typeof context.pipesConsumer?.apply === 'function' &&
    typeof context.contextUtils?.mergeParamsMetatypes === 'function' &&
    typeof context.contextUtils?.warnOnMissingParamtypes === 'function' &&
    typeof context.responseController?.setStatus === 'function' &&
    typeof context.responseController?.setHeaders === 'function' &&
    typeof context.applicationRef?.reply === 'function'
  );
}
