import { anthropicError, FakeModelServer, startAnthropicFakeServer } from '@cognition/test-support/fakes/anthropic-fake-server';
import { AppConfig } from '@cognition/config/app-config';
import { validateEnv } from '@cognition/config/env.schema';
import { ModelMessage, ModelProviderError, ModelRequest, ModelToolSpec } from '../../domain/model-provider.port';
import { AnthropicModelAdapter } from './anthropic.model-adapter';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from './anthropic-messages.wire';
import { ProviderHttp } from './provider-http';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';

/** Records the delays asked for instead of waiting. */
class RecordingSleeper extends Sleeper {
  readonly delays: number[] = [];
  override async sleep(ms: number): Promise<void> {
    this.delays.push(ms);
  }
}

const KEY = 'sk-ant-test-123';
const tools: ModelToolSpec[] = [
  { name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
  { name: 'count', description: 'Count things', parameters: { type: 'object', properties: { of: { type: 'string' } } } },
];

describe('AnthropicModelAdapter against a Messages API server', () => {
  let fake: FakeModelServer;

  beforeEach(async () => {
    fake = await startAnthropicFakeServer({ apiKey: KEY });
  });
  afterEach(() => fake.close());

  function adapter(env: Record<string, string> = {}) {
    const values = validateEnv({ ANTHROPIC_BASE_URL: fake.baseUrl, ANTHROPIC_API_KEY: KEY, MODEL_MAX_RETRIES: '3', MODEL_RETRY_BASE_MS: '10', ...env });
    const config = { get: (key: keyof typeof values) => values[key] } as unknown as AppConfig;
    const sleeper = new RecordingSleeper();
    return { adapter: new AnthropicModelAdapter(config, new ProviderHttp(config, sleeper)), sleeper };
  }
  const ask = (messages: ModelMessage[], extra: Partial<ModelRequest> = {}): ModelRequest => ({ provider: 'anthropic', model: 'claude-sonnet-4-5', messages, tools, ...extra });

  it('does a tool-call round trip in the native format (parallel results merged into one user message), with usage', async () => {
    const { adapter: anthropic } = adapter();
    const messages: ModelMessage[] = [
      { role: 'system', content: 'You are a researcher.' },
      { role: 'user', content: 'Do both [[tool:lookup {"q":"cats"}]] [[tool:count {"of":"dogs"}]]' },
    ];
    const first = await anthropic.complete(ask(messages, { temperature: 0.7, topP: 1, maxTokens: 300 }));

    expect(first).toMatchObject({ content: null, finishReason: 'tool_calls', model: 'claude-sonnet-4-5' });
    expect(first.toolCalls).toEqual([
      { id: expect.stringMatching(/^toolu_01/), name: 'lookup', arguments: { q: 'cats' } },
      { id: expect.stringMatching(/^toolu_01/), name: 'count', arguments: { of: 'dogs' } },
    ]);
    const promptChars = 'You are a researcher.'.length + 'Do both [[tool:lookup {"q":"cats"}]] [[tool:count {"of":"dogs"}]]'.length;
    expect(first.usage).toEqual({ inputTokens: Math.ceil(promptChars / 4), outputTokens: Math.ceil(('{"q":"cats"}'.length + '{"of":"dogs"}'.length) / 4) });
    const sent = fake.requests[0];
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: 'You are a researcher.',
      messages: [{ role: 'user', content: 'Do both [[tool:lookup {"q":"cats"}]] [[tool:count {"of":"dogs"}]]' }],
      tools: [
        { name: 'lookup', description: 'Look something up', input_schema: tools[0].parameters },
        { name: 'count', description: 'Count things', input_schema: tools[1].parameters },
      ],
      temperature: 0.7,
    });

    const [lookup, count] = first.toolCalls;
    const second = await anthropic.complete(
      ask([
        ...messages,
        { role: 'assistant', content: first.content, toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: lookup.id, name: 'lookup', content: '3 cats' },
        { role: 'tool', toolCallId: count.id, name: 'count', content: 'no such thing', isError: true },
      ]),
    );

    expect(fake.requests[1].body.messages.slice(1)).toEqual([
      { role: 'assistant', content: [
        { type: 'tool_use', id: lookup.id, name: 'lookup', input: { q: 'cats' } },
        { type: 'tool_use', id: count.id, name: 'count', input: { of: 'dogs' } },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: lookup.id, content: '3 cats' },
        { type: 'tool_result', tool_use_id: count.id, content: 'no such thing', is_error: true },
      ] },
    ]);
    expect(second).toMatchObject({ content: 'done: no such thing', toolCalls: [], finishReason: 'stop' });
    const secondChars = promptChars + '{"q":"cats"}'.length + '{"of":"dogs"}'.length + '3 cats'.length + 'no such thing'.length;
    expect(second.usage).toEqual({ inputTokens: Math.ceil(secondChars / 4), outputTokens: Math.ceil('done: no such thing'.length / 4) });
  });

  it('sends the required max_tokens when the request names none, and clamps temperature to 1', async () => {
    const response = await adapter().adapter.complete(ask([{ role: 'user', content: 'Reply [[answer:fine]]' }], { temperature: 1.4 }));
    expect(response).toMatchObject({ content: 'fine', finishReason: 'stop' });
    expect(fake.requests[0].body).toMatchObject({ max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS, temperature: 1 });
  });

  it('maps a scripted text + tool_use answer and max_tokens stop', async () => {
    fake.enqueue(
      {
        body: {
          id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_01abc', name: 'lookup', input: { q: 'x' } }],
          stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 120, output_tokens: 30 },
        },
      },
      { body: { id: 'msg_02', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'partial' }], stop_reason: 'max_tokens', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } },
    );
    const { adapter: anthropic } = adapter();
    expect(await anthropic.complete(ask([{ role: 'user', content: 'go' }]))).toEqual({
      content: 'Let me check.',
      toolCalls: [{ id: 'toolu_01abc', name: 'lookup', arguments: { q: 'x' } }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 120, outputTokens: 30 },
      model: 'claude-sonnet-4-5-20250929',
    });
    expect(await anthropic.complete(ask([{ role: 'user', content: 'go' }]))).toMatchObject({ content: 'partial', finishReason: 'length' });
  });

  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '1' } });
    const { adapter: anthropic, sleeper } = adapter();
    const response = await anthropic.complete(ask([{ role: 'user', content: 'hello' }]));
    expect(response.content).toBe('done: hello');
    expect(sleeper.delays).toEqual([1000]);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries 5xx, including 529 overloaded', async () => {
    fake.enqueue({ status: 529 }, { status: 500 });
    const { adapter: anthropic, sleeper } = adapter();
    const response = await anthropic.complete(ask([{ role: 'user', content: 'hello' }]));
    expect(response.content).toBe('done: hello');
    expect(fake.requests).toHaveLength(3);
    expect(sleeper.delays).toHaveLength(2);
  });

  it('fails at once on a 400 with the provider message', async () => {
    fake.enqueue({ status: 400, body: anthropicError('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum') });
    const { adapter: anthropic, sleeper } = adapter();
    const error = await anthropic.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ code: 'MODEL_BAD_REQUEST', status: 400, retryable: false });
    expect((error as Error).message).toContain('prompt is too long: 210000 tokens > 200000 maximum');
    expect(fake.requests).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
  });

  it('surfaces the API refusing a malformed conversation (tool_use without its tool_result)', async () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: {} }] },
      { role: 'user', content: 'never mind' },
    ];
    const error = await adapter().adapter.complete(ask(messages)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_BAD_REQUEST', status: 400 });
    expect((error as Error).message).toContain('`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1');
  });

  it('fails with MODEL_AUTH_FAILED on a wrong key', async () => {
    const error = await adapter({ ANTHROPIC_API_KEY: 'sk-ant-wrong' }).adapter.complete(ask([{ role: 'user', content: 'hi' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_AUTH_FAILED', status: 401 });
    expect((error as Error).message).toContain('invalid x-api-key');
  });

  it('gives up with MODEL_RATE_LIMITED when retries run out', async () => {
    fake.enqueue({ status: 429 }, { status: 429 }, { status: 429 });
    const { adapter: anthropic, sleeper } = adapter({ MODEL_MAX_RETRIES: '2' });
    const error = await anthropic.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_RATE_LIMITED', status: 429, retryable: true });
    expect((error as Error).message).toContain('rate limit');
    expect(fake.requests).toHaveLength(3);
    expect(sleeper.delays).toHaveLength(2);
  });

  it('times out a slow answer with MODEL_TIMEOUT, without retrying it', async () => {
    fake.enqueue({ delayMs: 5000 });
    const { adapter: anthropic, sleeper } = adapter({ MODEL_TIMEOUT_MS: '200' });
    const error = await anthropic.complete(ask([{ role: 'user', content: 'hello' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_TIMEOUT' });
    expect(fake.requests).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
  });
});
