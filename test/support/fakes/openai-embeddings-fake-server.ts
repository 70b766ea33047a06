import { createHash } from 'node:crypto';
import { FakeApi, FakeModelServer, FakeRequest, fakeTokens, isObject, startFakeHttpServer } from './fake-http-server';
import { openAiError } from './openai-fake-server';

export interface OpenAiEmbeddingsFakeOptions {
  /** Dimensions of every vector (default 8). */
  dimensions?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401, like OpenAI). */
  apiKey?: string;
  /** At most this many inputs per request (OpenAI: 2048), else 400. */
  maxInputs?: number;
}

const KNOWN_FIELDS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

/**
 * A fake OpenAI embeddings server: POST {baseUrl}/embeddings (baseUrl ends in /v1) answering the real
 * wire format `{object: 'list', data: [{object: 'embedding', index, embedding}], model, usage}`.
 * Vectors are deterministic (seeded by the text) and L2-normalised; the same text always gets the
 * same vector. The data items come back in REVERSE order (each with its index), as a server may do,
 * so clients must order by `index`. Malformed requests are refused like OpenAI does (400); enqueued
 * responses (429 with Retry-After, 500, 400…) are served first. Every request is recorded.
 */
export function startOpenAiEmbeddingsFakeServer(options: OpenAiEmbeddingsFakeOptions = {}): Promise<FakeModelServer> {
  return startFakeHttpServer(embeddingsApi(options), '/v1');
}

/** The fake's vector for a text (what a test compares a stored embedding with). */
export function fakeEmbedding(text: string, dimensions = 8): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 2 <= digest.length && values.length < dimensions; i += 2) values.push(digest.readUInt16BE(i) / 32767.5 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((x) => x / norm);
}

function embeddingsApi(options: OpenAiEmbeddingsFakeOptions): FakeApi {
  const dimensions = options.dimensions ?? 8;
  const maxInputs = options.maxInputs ?? 2048;
  return {
    check(request: FakeRequest) {
      if (request.method !== 'POST' || request.path !== '/v1/embeddings') return refuse(404, `Invalid URL (${request.method} ${request.path})`);
      if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        return { status: 401, body: openAiError('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key') };
      }
      const body = request.body;
      if (!isObject(body)) return refuse(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)");
      const unknown = Object.keys(body).find((key) => !KNOWN_FIELDS.has(key));
      if (unknown) return refuse(400, `Unrecognized request argument supplied: ${unknown}`);
      if (typeof body.model !== 'string' || !body.model) return refuse(400, 'you must provide a model parameter');
      const input = body.input;
      const texts = typeof input === 'string' ? [input] : input;
      if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
        return refuse(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
      }
      if (texts.length > maxInputs) return refuse(400, `'$.input' must have at most ${maxInputs} items`, 'input');
      if (texts.some((t: string) => t === '')) return refuse(400, "'$.input' is invalid: empty strings are not allowed", 'input');
      if (body.encoding_format !== undefined && body.encoding_format !== 'float') return refuse(400, 'this fake only answers encoding_format float', 'encoding_format');
      return null;
    },
    answer(request: FakeRequest) {
      const texts: string[] = typeof request.body.input === 'string' ? [request.body.input] : request.body.input;
      const tokens = texts.reduce((n, t) => n + fakeTokens(t.length), 0);
      const data = texts.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, dimensions) })).reverse();
      return { object: 'list', data, model: request.body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    },
    errorBody(status: number) {
      if (status === 429) return openAiError('Rate limit reached for text-embedding-3-small on requests per min (RPM): Limit 3000, Used 3000, Requested 1.', 'requests', 'requests', 'rate_limit_exceeded');
      if (status === 401) return openAiError('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
      if (status >= 500) return openAiError('The server had an error while processing your request. Sorry about that!', 'server_error', null, null);
      return openAiError('Invalid request.', 'invalid_request_error', null, null);
    },
  };
}

function refuse(status: number, message: string, param: string | null = null) {
  return { status, body: openAiError(message, 'invalid_request_error', param, null) };
}

export type { FakeModelServer, FakeRequest };
