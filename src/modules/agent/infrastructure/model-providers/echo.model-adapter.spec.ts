import { ModelMessage, ModelRequest, ModelToolSpec } from '../../domain/model-provider.port';
import { EchoModelAdapter } from './echo.model-adapter';

const echo = new EchoModelAdapter();
const tools: ModelToolSpec[] = [
  { name: 'search', description: 'Search', parameters: { type: 'object' } },
  { name: 'http_fetch', description: 'Fetch', parameters: { type: 'object' } },
];
const request = (messages: ModelMessage[], extra: Partial<ModelRequest> = {}): ModelRequest => ({ provider: 'echo', model: 'echo-1', messages, ...extra });

describe('EchoModelAdapter', () => {
  it('replies with the last user message, deterministically', async () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'first' },
      { role: 'user', content: 'Summarise the report' },
    ];
    const a = await echo.complete(request(messages));
    const b = await echo.complete(request(messages));
    expect(a).toEqual(b);
    expect(a).toEqual({ content: 'Summarise the report', toolCalls: [], finishReason: 'stop', model: 'echo-1', usage: { inputTokens: 11, outputTokens: 5 } }); // 44 chars in, 20 out
  });

  it('counts usage as ceil(chars / 4) in and out, at least 1', async () => {
    // 'abcde' + 'x' in: 6 chars → 2 tokens; reply 'x': 1 char → 1 token.
    const response = await echo.complete(request([{ role: 'system', content: 'abcde' }, { role: 'user', content: 'x' }]));
    expect(response.usage).toEqual({ inputTokens: 2, outputTokens: 1 });
    const empty = await echo.complete(request([{ role: 'user', content: '' }]));
    expect(empty.usage).toEqual({ inputTokens: 1, outputTokens: 1 });
  });

  it('answers a `call <tool> <json>` line with a tool call of an offered tool', async () => {
    const response = await echo.complete(request([{ role: 'user', content: 'Please\ncall search {"q": "cats", "limit": 2}\ncall unknown_tool {}' }], { tools }));
    expect(response.finishReason).toBe('tool_calls');
    expect(response.content).toBeNull();
    expect(response.toolCalls).toEqual([{ id: 'echo_call_1', name: 'search', arguments: { q: 'cats', limit: 2 } }]);
    expect(response.usage.outputTokens).toBe(Math.ceil(JSON.stringify({ q: 'cats', limit: 2 }).length / 4));
  });

  it('makes several calls, numbering ids across the conversation; no args means {}; bad JSON is {_raw}', async () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'call search {"q":"a"}' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'echo_call_1', name: 'search', arguments: { q: 'a' } }] },
      { role: 'tool', toolCallId: 'echo_call_1', name: 'search', content: 'ok' },
      { role: 'assistant', content: 'tool search returned: ok' },
      { role: 'user', content: 'call http_fetch\ncall search {not json' },
    ];
    const response = await echo.complete(request(messages, { tools }));
    expect(response.toolCalls).toEqual([
      { id: 'echo_call_2', name: 'http_fetch', arguments: {} },
      { id: 'echo_call_3', name: 'search', arguments: { _raw: '{not json' } },
    ]);
  });

  it('does not call a tool the request does not offer', async () => {
    const response = await echo.complete(request([{ role: 'user', content: 'call search {}' }]));
    expect(response).toMatchObject({ content: 'call search {}', toolCalls: [], finishReason: 'stop' });
  });

  it('reports a tool result when it is the last message', async () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'call search {"q":"cats"}' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'echo_call_1', name: 'search', arguments: { q: 'cats' } }] },
      { role: 'tool', toolCallId: 'echo_call_1', name: 'search', content: '3 cats' },
    ];
    const response = await echo.complete(request(messages, { tools }));
    expect(response).toMatchObject({ content: 'tool search returned: 3 cats', toolCalls: [], finishReason: 'stop' });
    // in: 'call search {"q":"cats"}' (24) + '{"q":"cats"}' (12) + '3 cats' (6) = 42 chars → 11 tokens
    expect(response.usage).toEqual({ inputTokens: 11, outputTokens: Math.ceil('tool search returned: 3 cats'.length / 4) });
  });

  it('does not repeat a call that a tool result already answered', async () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'call search {}' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'echo_call_1', name: 'search', arguments: {} }] },
      { role: 'tool', toolCallId: 'echo_call_1', name: 'search', content: 'none' },
      { role: 'assistant', content: 'tool search returned: none' },
    ];
    const response = await echo.complete(request(messages, { tools }));
    expect(response).toMatchObject({ content: 'call search {}', toolCalls: [], finishReason: 'stop' });
  });

  it('cuts a reply longer than maxTokens · 4 characters', async () => {
    const response = await echo.complete(request([{ role: 'user', content: 'x'.repeat(30) }], { maxTokens: 5 }));
    expect(response).toMatchObject({ content: 'x'.repeat(20), finishReason: 'length', usage: { outputTokens: 5 } });
  });

  it('rejects with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(echo.complete(request([{ role: 'user', content: 'hi' }], { signal: controller.signal }))).rejects.toThrow('cancelled');
  });
});
