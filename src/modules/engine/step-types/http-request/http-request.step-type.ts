import { lookup } from 'node:dns/promises';
import { abortable } from '@cognition/platform/async/abortable';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { NonRetryableStepError, StepContext, StepError, StepHandler, StepType } from '../../contracts';
import { limitsOf } from '@cognition/platform/limits/limits';
import { AllowList, ResolvedAddress, checkHost, compileAllowList } from '@cognition/platform/outbound-http/host-guard';
import { HttpMethod, parseHttpRequestParams } from './http-request.params';
import { HTTP_REQUEST_PARAMS } from './http-request.params-schema';
import { decodeText, headersToObject, parseBody, readBodyBytes, truncate } from './http-response';

export interface HttpRequestOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * The `http_request` step type (SPEC section 4): one HTTP call to an allow-listed host.
 *
 * Every URL, including each redirect hop (followed here, at most MAX_REDIRECTS), passes the host
 * guard (host-guard.ts) before it is fetched. The request goes through Node's global fetch, which
 * resolves the hostname again when it connects: pinning the connection to the checked address needs
 * an undici `dispatcher` with a custom `lookup`, and undici is bundled in Node but not importable
 * without adding it as a dependency. So a host whose DNS answer changes between the check and the
 * connect (DNS rebinding) has that short window; allow-list only hosts whose DNS you trust.
 *
 * A redirect whose status is listed in `expectStatus` is returned rather than followed.
 */
@Injectable()
@StepType('http_request', { params: HTTP_REQUEST_PARAMS })
export class HttpRequestStepType implements StepHandler {
  private readonly allowList: AllowList;
  /** STEP_OUTPUT_MAX_BYTES: a response body is read up to this and no further. */
  private readonly maxBodyBytes: number;

  constructor(config: AppConfig) {
    this.allowList = compileAllowList(config.get('HTTP_STEP_ALLOWED_HOSTS'));
    this.maxBodyBytes = limitsOf(config.all).stepOutputBytes;
  }

  async execute(context: StepContext): Promise<HttpRequestOutput> {
    const params = parseHttpRequestParams(context.params);
    const timeout = AbortSignal.timeout(params.timeoutMs);
    const signal = AbortSignal.any([context.signal, timeout]);
    let { url, method, body } = params;
    const headers = { ...params.headers };
    try {
      for (let redirects = 0; ; redirects++) {
        await this.guard(url, signal);
        const response = await fetch(url, { method, headers, body, redirect: 'manual', signal });
        const location = response.headers.get('location');
        const followable = REDIRECT_STATUSES.has(response.status) && !params.expectStatus?.includes(response.status);
        if (!followable || location === null) return await this.complete(response, method, url, params.expectStatus);
        await response.body?.cancel().catch(() => undefined);
        if (redirects >= MAX_REDIRECTS) {
          throw new NonRetryableStepError('HTTP_TOO_MANY_REDIRECTS', `http_request: more than ${MAX_REDIRECTS} redirects`);
        }
        const next = redirectTarget(location, url);
        if (changesToGet(response.status, method)) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
          delete headers['content-length'];
        }
        if (next.origin !== url.origin) CREDENTIAL_HEADERS.forEach((name) => delete headers[name]);
        url = next;
      }
    } catch (error) {
      throw transportError(error, { method, url, timeoutMs: params.timeoutMs, cancel: context.signal, timeout });
    }
  }

  /** Resolves a hostname to every address (overridable in tests). */
  protected resolveHost(hostname: string): Promise<ResolvedAddress[]> {
    return lookup(hostname, { all: true, verbatim: true });
  }

  private async guard(url: URL, signal: AbortSignal): Promise<void> {
    const check = await abortable(
      checkHost(url, this.allowList, (host) => this.resolveHost(host)),
      signal,
    );
    if (!check.allowed) {
      throw new NonRetryableStepError('HOST_NOT_ALLOWED', `http_request: ${check.reason}`, { url: url.origin });
    }
  }

  private async complete(
    response: Response,
    method: HttpMethod,
    url: URL,
    expectStatus: number[] | null,
  ): Promise<HttpRequestOutput> {
    const contentType = response.headers.get('content-type');
    const text = decodeText(await readBodyBytes(response, this.maxBodyBytes), contentType);
    const { status } = response;
    const expected = expectStatus ? expectStatus.includes(status) : status >= 200 && status < 300;
    if (!expected) {
      const wanted = expectStatus ? expectStatus.join(', ') : 'any 2xx';
      throw new StepError(
        'HTTP_STATUS',
        `http_request: ${method} ${url.origin}${url.pathname} returned ${status} ${response.statusText}, expected ${wanted}`,
        status === 429 || status >= 500,
        { status, body: truncate(text) },
      );
    }
    return { status, headers: headersToObject(response.headers), body: parseBody(text, contentType) };
  }
}

function redirectTarget(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new NonRetryableStepError('HTTP_REDIRECT_INVALID', `http_request: invalid redirect location ${JSON.stringify(location)}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new NonRetryableStepError('HTTP_REDIRECT_INVALID', `http_request: redirect to unsupported protocol ${next.protocol}`);
  }
  return next;
}

/** Fetch semantics: 303 turns any method but HEAD into GET; 301/302 turn POST into GET. */
function changesToGet(status: number, method: HttpMethod): boolean {
  return (status === 303 && method !== 'HEAD' && method !== 'GET') || ((status === 301 || status === 302) && method === 'POST');
}

interface FailureContext {
  method: HttpMethod;
  url: URL;
  timeoutMs: number;
  cancel: AbortSignal;
  timeout: AbortSignal;
}

/** Maps anything thrown while resolving, fetching or reading to a StepError. */
function transportError(error: unknown, ctx: FailureContext): StepError {
  if (error instanceof StepError) return error;
  const target = `${ctx.method} ${ctx.url.origin}${ctx.url.pathname}`;
  if (ctx.cancel.aborted) {
    return new StepError('HTTP_ABORTED', `http_request: ${target} aborted (step cancelled or timed out)`);
  }
  if (ctx.timeout.aborted) {
    return new StepError('HTTP_TIMEOUT', `http_request: ${target} got no complete response within ${ctx.timeoutMs} ms`);
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = (error as { code?: string }).code;
  const detail = cause?.code ?? cause?.message ?? code ?? (error as Error).message ?? String(error);
  return new StepError('HTTP_ERROR', `http_request: ${target} failed: ${detail}`, true, { url: ctx.url.origin });
}

