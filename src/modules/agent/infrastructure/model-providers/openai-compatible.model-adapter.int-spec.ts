import { FakeModelServer, openAiError, startOpenAiFakeServer } from '@cognition/test-support/fakes/openai-fake-server';
import { AppConfig } from '@cognition/config/app-config';
import { validateEnv } from '@cognition/config/env.schema';
import { ModelMessage, ModelProviderError, ModelRequest, ModelToolSpec } from '../../domain/model-provider.port';
import { OpenAiCompatibleModelAdapter } from './openai-compatible.model-adapter';
import { ProviderHttp } from './provider-http';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';

/** Records the delays asked for instead of waiting. */
class RecordingSleeper extends Sleeper {
  readonly delays: number[] = [];
  override async sleep(ms: number): Promise<void> {
    this.delays.push(ms);
  }
}

const KEY = 'sk-test-123';
const tools: ModelToolSpec[] = [{ name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];

describe('OpenAiCompatibleModelAdapter against a Chat Completions server', () => {
  let fake: FakeModelServer;

  beforeEach(async () => {
    fake = await startOpenAiFakeServer({ apiKey: KEY });
  });
  afterEach(() => fake.close());

  function adapter(env: Record<string, string> = {}) {
    const values = validateEnv({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: KEY, MODEL_MAX_RETRIES: '3', MODEL_RETRY_BASE_MS: '10', ...env });
    const config = { get: (key: keyof typeof values) => values[key] } as unknown as AppConfig;
    const sleeper = new RecordingSleeper();
    return { adapter: new OpenAiCompatibleModelAdapter(config, new ProviderHttp(config, sleeper)), sleeper };
  }
  const ask = (messages: ModelMessage[], extra: Partial<ModelRequest> = {}): ModelRequest => ({ provider: 'openai', model: 'gpt-4o-mini', messages, tools, ...extra });

  it('does a tool-call round trip in the native format, with usage', async () => {
    const { adapter: openai } = adapter();
    const messages: ModelMessage[] = [
      { role: 'system', content: 'You are a researcher.' },
      { role: 'user', content: 'Find cats [[tool:lookup {"q":"cats"}]]' },
    ];
    const first = await openai.complete(ask(messages, { temperature: 0.2, topP: 0.9, maxTokens: 300 }));

    expect(first).toMatchObject({ content: null, finishReason: 'tool_calls', model: 'gpt-4o-mini' });
    expect(first.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'lookup', arguments: { q: 'cats' } }]);
    const promptChars = 'You are a researcher.'.length + 'Find cats [[tool:lookup {"q":"cats"}]]'.length;
    expect(first.usage).toEqual({ inputTokens: Math.ceil(promptChars / 4), outputTokens: Math.ceil('{"q":"cats"}'.length / 4) });
    expect(fake.requests[0].path).toBe('/v1/chat/completions');
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(fake.requests[0].body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a researcher.' },
        { role: 'user', content: 'Find cats [[tool:lookup {"q":"cats"}]]' },
      ],
      tools: [{ type: 'function', function: { name: 'lookup', description: 'Look something up', parameters: tools[0].parameters } }],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 300,
    });

    const call = first.toolCalls[0];
    const second = await openai.complete(
      ask([...messages, { role: 'assistant', content: first.content, toolCalls: first.toolCalls }, { role: 'tool', toolCallId: call.id, name: 'lookup', content: '{"found":3}' }]),
    );

    expect(fake.requests[1].body.messages.slice(2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'lookup', arguments: '{"q":"cats"}' } }] },
      { role: 'tool', tool_call_id: call.id, content: '{"found":3}' },
    ]);
    expect(second).toMatchObject({ content: 'done: {"found":3}', toolCalls: [], finishReason: 'stop' });
    expect(second.usage).toEqual({ inputTokens: Math.ceil((promptChars + '{"q":"cats"}'.length + '{"found":3}'.length) / 4), outputTokens: Math.ceil('done: {"found":3}'.length / 4) });
  });

  it('gives the [[answer:…]] text as the final content', async () => {
    const response = await adapter().adapter.complete(ask([{ role: 'user', content: 'Reply [[answer:{"ok":true}]]' }]));
    expect(response).toMatchObject({ content: '{"ok":true}', finishReason: 'stop' });
  });

  it('turns tool-call arguments that are not JSON into {_raw}', async () => {
    fake.enqueue({
      body: {
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'lookup', arguments: '{"q": "ca' } }] }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 },
      },
    });
    const response = await adapter().adapter.complete(ask([{ role: 'user', content: 'go' }]));
    expect(response).toEqual({ content: null, toolCalls: [{ id: 'call_x', name: 'lookup', arguments: { _raw: '{"q": "ca' } }], finishReason: 'tool_calls', usage: { inputTokens: 50, outputTokens: 9 }, model: 'gpt-4o-mini-2024-07-18' });
  });

  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '1' } });
    const { adapter: openai, sleeper } = adapter();
    const response = await openai.complete(ask([{ role: 'user', content: 'hello' }]));
    expect(response.content).toBe('done: hello');
    expect(sleeper.delays).toEqual([1000]);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries 5xx and network errors with exponential backoff', async () => {
    fake.enqueue({ status: 500 }, { dropConnection: true }, { status: 503 });
    const { adapter: openai, sleeper } = adapter({ MODEL_RETRY_BASE_MS: '100' });
    const response = await openai.complete(ask([{ role: 'user', content: 'hello' }]));
    expect(response.content).toBe('done: hello');
    expect(fake.requests).toHaveLength(4);
    expect(sleeper.delays).toHaveLength(3);
    sleeper.delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual((100 * 2 ** attempt) / 2);
      expect(delay).toBeLessThanOrEqual(100 * 2 ** attempt);
    });
  });

  it('fails at once on a 400 with the provider message', async () => {
    fake.enqueue({ status: 400, body: openAiError("This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", 'invalid_request_error', 'messages', 'context_length_exceeded') });
    const { adapter: openai, sleeper } = adapter();
    const error = await openai.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ code: 'MODEL_BAD_REQUEST', status: 400, retryable: false });
    expect((error as Error).message).toContain("This model's maximum context length is 128000 tokens");
    expect(fake.requests).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
  });

  it('surfaces the API refusing a malformed conversation (a tool result answering no call)', async () => {
    const error = await adapter()
      .adapter.complete(ask([{ role: 'user', content: 'hi' }, { role: 'tool', toolCallId: 'call_nope', name: 'lookup', content: 'x' }]))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_BAD_REQUEST', status: 400 });
    expect((error as Error).message).toContain("messages with role 'tool' must be a response to a preceeding message with 'tool_calls'");
  });

  it('fails with MODEL_AUTH_FAILED on a wrong key, and sends no Authorization without one', async () => {
    const error = await adapter({ OPENAI_API_KEY: 'sk-wrong' }).adapter.complete(ask([{ role: 'user', content: 'hi' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_AUTH_FAILED', status: 401 });
    expect((error as Error).message).toContain('Incorrect API key provided');

    const open = await startOpenAiFakeServer();
    try {
      const values = validateEnv({ OPENAI_BASE_URL: open.baseUrl });
      const config = { get: (key: keyof typeof values) => values[key] } as unknown as AppConfig;
      const response = await new OpenAiCompatibleModelAdapter(config, new ProviderHttp(config, new RecordingSleeper())).complete(ask([{ role: 'user', content: 'hi' }]));
      expect(response.content).toBe('done: hi');
      expect(open.requests[0].headers.authorization).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it('gives up with MODEL_RATE_LIMITED when retries run out', async () => {
    fake.enqueue({ status: 429 }, { status: 429 }, { status: 429 });
    const { adapter: openai, sleeper } = adapter({ MODEL_MAX_RETRIES: '2' });
    const error = await openai.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_RATE_LIMITED', status: 429, retryable: true });
    expect((error as Error).message).toContain('Rate limit reached');
    expect(fake.requests).toHaveLength(3);
    expect(sleeper.delays).toHaveLength(2);
  });

  it('fails with MODEL_UNAVAILABLE when 5xx outlast the retries', async () => {
    fake.enqueue({ status: 502 }, { status: 502 });
    const error = await adapter({ MODEL_MAX_RETRIES: '1' }).adapter.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 502, retryable: true });
    expect(fake.requests).toHaveLength(2);
  });

  it('times out a slow answer with MODEL_TIMEOUT, without retrying it', async () => {
    fake.enqueue({ delayMs: 5000 });
    const { adapter: openai, sleeper } = adapter({ MODEL_TIMEOUT_MS: '200' });
    // The fake answers (successfully) after 5 s: MODEL_TIMEOUT can only come from MODEL_TIMEOUT_MS.
    const error = await openai.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_TIMEOUT' });
    expect(fake.requests).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
  });

  it("rejects with the caller's abort reason when its signal aborts", async () => {
    fake.enqueue({ delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('task cancelled')), 100);
    const error = await adapter().adapter.complete(ask([{ role: 'user', content: 'hello' }], { signal: controller.signal })).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ModelProviderError);
    expect((error as Error).message).toBe('task cancelled');
  });
});
