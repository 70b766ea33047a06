import { ModelMessage, ModelProviderError, ModelRequest } from '../../domain/model-provider.port';
import { fromOpenAiChatResponse, parseToolArguments, toOpenAiChatRequest } from './openai-chat.wire';

const request = (extra: Partial<ModelRequest> = {}): ModelRequest => ({ provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('toOpenAiChatRequest', () => {
  it('writes messages, tool calls and tool results in the Chat Completions format', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'go' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'search', arguments: { q: 'x' } }] },
      { role: 'tool', toolCallId: 'call_1', name: 'search', content: 'boom', isError: true },
      { role: 'assistant', content: 'done' },
    ];
    const body = toOpenAiChatRequest(request({ messages, tools: [{ name: 'search', description: 'd', parameters: {} }], temperature: 0.7, topP: 1, maxTokens: 100 }));
    expect(body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Error: boom' },
        { role: 'assistant', content: 'done' },
      ],
      tools: [{ type: 'function', function: { name: 'search', description: 'd', parameters: { type: 'object', properties: {} } } }],
      temperature: 0.7,
      top_p: 1,
      max_tokens: 100,
    });
  });

  it('sends reasoning models max_completion_tokens and no sampling parameters', () => {
    const body = toOpenAiChatRequest(request({ model: 'o3-mini', temperature: 0.7, topP: 0.9, maxTokens: 100 }));
    expect(body).toEqual({ model: 'o3-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 100 });
  });
});

describe('fromOpenAiChatResponse', () => {
  it('treats tool calls as tool_calls even when the server says stop (older Ollama)', () => {
    const response = fromOpenAiChatResponse(
      { model: 'llama3.2', choices: [{ message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'search', arguments: '{"q":1}' } }] }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4 } },
      request(),
    );
    expect(response).toEqual({ content: null, toolCalls: [{ id: 'call_9', name: 'search', arguments: { q: 1 } }], finishReason: 'tool_calls', usage: { inputTokens: 3, outputTokens: 4 }, model: 'llama3.2' });
  });

  it('maps finish reasons and estimates usage a server did not report', () => {
    const response = fromOpenAiChatResponse({ choices: [{ message: { content: 'abcdefgh' }, finish_reason: 'length' }] }, request());
    expect(response).toMatchObject({ content: 'abcdefgh', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 2 }, model: 'gpt-4o-mini' });
    expect(fromOpenAiChatResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'content_filter' }] }, request()).finishReason).toBe('other');
  });

  it('fails on a body without choices', () => {
    expect(() => fromOpenAiChatResponse({ object: 'list' }, request())).toThrow(ModelProviderError);
  });
});

describe('parseToolArguments', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['', {}],
    ['{"a":', { _raw: '{"a":' }],
    ['[1,2]', { _raw: '[1,2]' }],
    ['"text"', { _raw: '"text"' }],
  ])('%j → %j', (raw, expected) => expect(parseToolArguments(raw)).toEqual(expected));

  it('keeps an object some servers send instead of a string', () => {
    expect(parseToolArguments({ a: 1 })).toEqual({ a: 1 });
  });
});
