import { FakeModelServer, fakeEmbedding, startOpenAiEmbeddingsFakeServer } from '@cognition/test-support/fakes/openai-embeddings-fake-server';
import { AppConfig } from '@cognition/config/app-config';
import { validateEnv } from '@cognition/config/env.schema';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';
import { createEmbeddingProvider } from './embedding-provider.factory';
import { HashingEmbedder } from './hashing.embedder';
import { OpenAiEmbeddingProvider } from './openai.embedding-provider';

/** Records the delays asked for instead of waiting. */
class RecordingSleeper extends Sleeper {
  readonly delays: number[] = [];
  override async sleep(ms: number): Promise<void> {
    this.delays.push(ms);
  }
}

const KEY = 'sk-embed-test';

describe('OpenAiEmbeddingProvider against an OpenAI-compatible embeddings server over HTTP', () => {
  let fake: FakeModelServer;

  beforeEach(async () => {
    fake = await startOpenAiEmbeddingsFakeServer({ apiKey: KEY, dimensions: 8 });
  });
  afterEach(() => fake.close());

  function provider(env: Record<string, string> = {}) {
    const values = validateEnv({
      EMBEDDING_PROVIDER: 'openai',
      EMBEDDING_BASE_URL: fake.baseUrl,
      EMBEDDING_API_KEY: KEY,
      EMBEDDING_MODEL: 'text-embedding-3-small',
      EMBEDDING_DIMENSIONS: '8',
      EMBEDDING_BATCH_SIZE: '4',
      MODEL_MAX_RETRIES: '3',
      MODEL_RETRY_BASE_MS: '10',
      ...env,
    });
    const config = { get: (key: keyof typeof values) => values[key] } as unknown as AppConfig;
    const sleeper = new RecordingSleeper();
    return { embedder: createEmbeddingProvider(config, sleeper), sleeper };
  }

  const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);

  it('is chosen by EMBEDDING_PROVIDER (hashing by default)', () => {
    expect(provider().embedder).toBeInstanceOf(OpenAiEmbeddingProvider);
    expect(provider({ EMBEDDING_PROVIDER: 'hashing', EMBEDDING_MODEL: 'hashing-384', EMBEDDING_DIMENSIONS: '384' }).embedder).toBeInstanceOf(HashingEmbedder);
  });

  it('sends ceil(N / batch size) requests in the wire format and puts the vectors back in order by index', async () => {
    const { embedder } = provider();
    const result = await embedder.embed(texts);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.map((r) => r.body)).toEqual([
      { model: 'text-embedding-3-small', input: texts.slice(0, 4) },
      { model: 'text-embedding-3-small', input: texts.slice(4, 8) },
      { model: 'text-embedding-3-small', input: texts.slice(8) },
    ]);
    expect(fake.requests[0].path).toBe('/v1/embeddings');
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(result.model).toBe('text-embedding-3-small');
    expect(result.dimensions).toBe(8);
    // The fake answers its data in reverse order: only ordering by index gives each text its own vector.
    expect(result.vectors).toEqual(texts.map((t) => fakeEmbedding(t, 8)));
  });

  it('falls back to OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
    const { embedder } = provider({ EMBEDDING_BASE_URL: '', EMBEDDING_API_KEY: '', OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: KEY } as never);
    expect((await embedder.embed(['one'])).vectors).toEqual([fakeEmbedding('one', 8)]);
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('retries a 429 after the Retry-After it asks for, and 5xx and dropped connections with backoff', async () => {
    const { embedder, sleeper } = provider();
    fake.enqueue({ status: 429, headers: { 'retry-after': '2' } }, { status: 500 }, { dropConnection: true });
    const result = await embedder.embed(['a', 'b']);
    expect(result.vectors).toEqual([fakeEmbedding('a', 8), fakeEmbedding('b', 8)]);
    expect(fake.requests).toHaveLength(4);
    expect(sleeper.delays[0]).toBe(2000);
    expect(sleeper.delays).toHaveLength(3);
    expect(sleeper.delays[1]).toBeGreaterThanOrEqual(10); // base 10 ms · 2^1, equal jitter
    expect(sleeper.delays[1]).toBeLessThanOrEqual(20);
  });

  it('fails fast on a 400 with the server’s message', async () => {
    const { embedder, sleeper } = provider();
    fake.enqueue({ status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', param: null, code: null } } });
    await expect(embedder.embed(['too long'])).rejects.toMatchObject({
      code: 'EMBEDDING_PROVIDER_ERROR',
      message: "Embedding provider answered 400: This model's maximum context length is 8192 tokens",
    });
    expect(fake.requests).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
  });

  it('refuses a wrong key (401) at once, and gives up after MODEL_MAX_RETRIES retries', async () => {
    await expect(provider({ EMBEDDING_API_KEY: 'wrong' }).embedder.embed(['x'])).rejects.toMatchObject({ code: 'EMBEDDING_PROVIDER_ERROR', message: expect.stringContaining('401: Incorrect API key') });
    const requestsBefore = fake.requests.length;
    const { embedder, sleeper } = provider({ MODEL_MAX_RETRIES: '2' });
    fake.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    await expect(embedder.embed(['x'])).rejects.toMatchObject({ code: 'EMBEDDING_PROVIDER_ERROR', message: expect.stringMatching(/answered 503: .*\(after 3 attempts\)/) });
    expect(fake.requests.length - requestsBefore).toBe(3);
    expect(sleeper.delays).toHaveLength(2);
  });

  it('refuses vectors whose dimensions are not EMBEDDING_DIMENSIONS, naming both', async () => {
    const { embedder } = provider({ EMBEDDING_DIMENSIONS: '16' });
    await expect(embedder.embed(['x'])).rejects.toMatchObject({
      code: 'EMBEDDING_PROVIDER_ERROR',
      message: 'Embedding provider answered with 8-dimensional embeddings; EMBEDDING_DIMENSIONS is 16 for model "text-embedding-3-small"',
    });
  });

  it('refuses an answer with missing or repeated indexes', async () => {
    const { embedder } = provider();
    fake.enqueue({ body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: fakeEmbedding('a') }, { object: 'embedding', index: 0, embedding: fakeEmbedding('b') }], model: 'm', usage: { prompt_tokens: 2, total_tokens: 2 } } });
    await expect(embedder.embed(['a', 'b'])).rejects.toMatchObject({ code: 'EMBEDDING_PROVIDER_ERROR', message: expect.stringContaining('repeated or out-of-range index (0)') });
  });
});
