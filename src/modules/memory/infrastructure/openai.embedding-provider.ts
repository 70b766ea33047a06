import { describeNetworkError, remoteErrorMessage, truncateMessage } from '@cognition/platform/outbound-http/error-message';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '@cognition/platform/outbound-http/retry-policy';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';
import { EmbeddingProvider, type Embeddings } from '../domain/embedding-provider.port';

const LABEL = 'Embedding provider';

/**
 * An OpenAI-compatible `/v1/embeddings` (OpenAI, Azure-compatible gateways, Ollama, vLLM, LiteLLM…):
 * POST {EMBEDDING_BASE_URL ?? OPENAI_BASE_URL}/embeddings `{model, input: [...]}`, with
 * `Authorization: Bearer {EMBEDDING_API_KEY ?? OPENAI_API_KEY}` when a key is set, in batches of
 * EMBEDDING_BATCH_SIZE texts; `data[].embedding` is put back in order by `index`.
 *
 * 408, 429, 5xx and network errors are retried up to MODEL_MAX_RETRIES times, waiting what
 * Retry-After asks, else exponential backoff from MODEL_RETRY_BASE_MS; each attempt is limited to
 * MODEL_TIMEOUT_MS. Other 4xx fail at once with the server's message. Every failure is a
 * DomainError EMBEDDING_PROVIDER_ERROR (502).
 */
export class OpenAiEmbeddingProvider extends EmbeddingProvider {
  private readonly url: string;
  private readonly apiKey: string | undefined;
  private readonly modelName: string;
  private readonly dims: number;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;

  constructor(
    config: AppConfig,
    private readonly sleeper: Sleeper,
  ) {
    super();
    const base = config.get('EMBEDDING_BASE_URL') ?? config.get('OPENAI_BASE_URL');
    this.url = `${base.replace(/\/+$/, '')}/embeddings`;
    this.apiKey = config.get('EMBEDDING_API_KEY') ?? config.get('OPENAI_API_KEY');
    this.modelName = config.get('EMBEDDING_MODEL');
    this.dims = config.get('EMBEDDING_DIMENSIONS');
    this.batchSize = config.get('EMBEDDING_BATCH_SIZE');
    this.maxRetries = config.get('MODEL_MAX_RETRIES');
    this.retryBaseMs = config.get('MODEL_RETRY_BASE_MS');
    this.timeoutMs = config.get('MODEL_TIMEOUT_MS');
  }

  get model(): string {
    return this.modelName;
  }

  get dimensions(): number {
    return this.dims;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Embeddings> {
    const vectors: number[][] = [];
    for (let from = 0; from < texts.length; from += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(from, from + this.batchSize), signal)));
    }
    return { model: this.modelName, dimensions: this.dims, vectors };
  }

  private async embedBatch(input: string[], signal?: AbortSignal): Promise<number[][]> {
    const body = JSON.stringify({ model: this.modelName, input });
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(body, signal);
      if (outcome.kind === 'ok') return this.vectorsOf(outcome.json, input.length);
      if (!outcome.retryable || attempt >= this.maxRetries) {
        const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
        throw new DomainError('EMBEDDING_PROVIDER_ERROR', `${outcome.message}${tries}`);
      }
      await this.sleeper.sleep(outcome.retryAfterMs ?? backoffDelay(attempt, this.retryBaseMs), signal);
    }
  }

  private async attempt(body: string, callerSignal?: AbortSignal): Promise<Attempt> {
    callerSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let status: number;
    let responseHeaders: Headers;
    let text: string;
    try {
      const response = await fetch(this.url, { method: 'POST', headers, body, signal });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) return { kind: 'failed', retryable: true, retryAfterMs: null, message: `${LABEL} did not answer within ${this.timeoutMs} ms` };
      return { kind: 'failed', retryable: true, retryAfterMs: null, message: `${LABEL} unreachable: ${describeNetworkError(error)}` };
    }
    if (status >= 200 && status < 300) {
      try {
        return { kind: 'ok', json: JSON.parse(text) };
      } catch {
        throw new DomainError('EMBEDDING_PROVIDER_ERROR', `${LABEL} answered ${status} with a body that is not JSON: ${truncateMessage(text)}`);
      }
    }
    const message = `${LABEL} answered ${status}: ${remoteErrorMessage(text)}`;
    const retryable = isRetryableStatus(status);
    return { kind: 'failed', retryable, retryAfterMs: retryable ? parseRetryAfter(responseHeaders) : null, message };
  }

  /** `data[i].embedding` put in order by `data[i].index`; every vector of EMBEDDING_DIMENSIONS numbers. */
  private vectorsOf(json: unknown, count: number): number[][] {
    const data = (json as { data?: unknown })?.data;
    const bad = (why: string) => new DomainError('EMBEDDING_PROVIDER_ERROR', `${LABEL} answered with ${why}`);
    if (!Array.isArray(data)) throw bad('no data array');
    if (data.length !== count) throw bad(`${data.length} embeddings for ${count} inputs`);
    const vectors = new Array<number[] | undefined>(count);
    for (const item of data as Array<{ index?: unknown; embedding?: unknown }>) {
      const index = item?.index;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count || vectors[index]) throw bad(`a missing, repeated or out-of-range index (${String(index)})`);
      const embedding = item.embedding;
      if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw bad('an embedding that is not an array of numbers (encoding_format must be float)');
      }
      if (embedding.length !== this.dims) {
        throw bad(`${embedding.length}-dimensional embeddings; EMBEDDING_DIMENSIONS is ${this.dims} for model "${this.modelName}"`);
      }
      vectors[index] = embedding as number[];
    }
    return vectors as number[][];
  }
}

type Attempt = { kind: 'ok'; json: unknown } | { kind: 'failed'; retryable: boolean; retryAfterMs: number | null; message: string };
