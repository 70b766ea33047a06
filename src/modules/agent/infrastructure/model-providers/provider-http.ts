import { describeNetworkError, remoteErrorMessage, truncateMessage } from '@cognition/platform/outbound-http/error-message';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { ModelProviderError } from '../../domain/model-provider.port';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '@cognition/platform/outbound-http/retry-policy';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';

export interface ProviderPost {
  /** Names the provider in error messages, e.g. `OpenAI-compatible API`. */
  label: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The caller's signal (task cancelled, agent out of time): aborting it ends the call at once. */
  signal?: AbortSignal;
}


/**
 * The HTTP behaviour every model adapter shares: POST JSON with Node's fetch, each attempt limited
 * to MODEL_TIMEOUT_MS; 408, 429, 5xx and network errors retried up to MODEL_MAX_RETRIES times
 * (honouring Retry-After, else exponential backoff with jitter, see retry-policy.ts); other 4xx fail
 * at once with the provider's own error message. A timed-out attempt is not retried (it already
 * took MODEL_TIMEOUT_MS): it fails with MODEL_TIMEOUT. When the caller's signal aborts, its reason
 * is thrown as is (it is the caller's decision, not a provider failure).
 */
@Injectable()
export class ProviderHttp {
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;

  constructor(
    config: AppConfig,
    private readonly sleeper: Sleeper,
  ) {
    this.maxRetries = config.get('MODEL_MAX_RETRIES');
    this.retryBaseMs = config.get('MODEL_RETRY_BASE_MS');
    this.timeoutMs = config.get('MODEL_TIMEOUT_MS');
  }

  async postJson(post: ProviderPost): Promise<unknown> {
    const body = JSON.stringify(post.body);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(post, body);
      if (outcome.kind === 'ok') return outcome.json;
      const error = outcome.error;
      if (!error.retryable || error.code === 'MODEL_TIMEOUT' || attempt >= this.maxRetries) throw error;
      const delay = outcome.retryAfterMs ?? backoffDelay(attempt, this.retryBaseMs);
      await this.sleeper.sleep(delay, post.signal);
    }
  }

  private async attempt(post: ProviderPost, body: string): Promise<Attempt> {
    post.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = post.signal ? AbortSignal.any([post.signal, timeout]) : timeout;
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const response = await fetch(post.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...post.headers }, body, signal });
      status = response.status;
      headers = response.headers;
      text = await response.text();
    } catch (error) {
      if (post.signal?.aborted) throw post.signal.reason;
      if (timeout.aborted) return failed(new ModelProviderError('MODEL_TIMEOUT', `${post.label} did not answer within ${this.timeoutMs} ms`, null, true));
      return failed(new ModelProviderError('MODEL_UNAVAILABLE', `${post.label} unreachable: ${describeNetworkError(error)}`, null, true));
    }
    if (status >= 200 && status < 300) {
      try {
        return { kind: 'ok', json: JSON.parse(text) };
      } catch {
        throw new ModelProviderError('MODEL_PROVIDER_ERROR', `${post.label} answered ${status} with a body that is not JSON: ${truncateMessage(text)}`, status);
      }
    }
    const message = `${post.label} answered ${status}: ${remoteErrorMessage(text)}`;
    if (isRetryableStatus(status)) {
      const code = status === 429 ? 'MODEL_RATE_LIMITED' : 'MODEL_UNAVAILABLE';
      return failed(new ModelProviderError(code, message, status, true), parseRetryAfter(headers));
    }
    return failed(new ModelProviderError(codeForStatus(status), message, status));
  }
}

type Attempt = { kind: 'ok'; json: unknown } | { kind: 'failed'; error: ModelProviderError; retryAfterMs: number | null };

function failed(error: ModelProviderError, retryAfterMs: number | null = null): Attempt {
  return { kind: 'failed', error, retryAfterMs };
}

function codeForStatus(status: number): ModelProviderError['code'] {
  if (status === 401 || status === 403) return 'MODEL_AUTH_FAILED';
  if (status >= 400 && status < 500) return 'MODEL_BAD_REQUEST';
  return 'MODEL_PROVIDER_ERROR';
}

