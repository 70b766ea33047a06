import { ModelMessage, ModelRequest } from '../../domain/model-provider.port';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, fromAnthropicResponse, toAnthropicRequest } from './anthropic-messages.wire';

const request = (extra: Partial<ModelRequest> = {}): ModelRequest => ({ provider: 'anthropic', model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('toAnthropicRequest', () => {
  it('moves system text to the top level, writes tool_use blocks and merges consecutive tool results into one user message', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'rule one' },
      { role: 'system', content: 'rule two' },
      { role: 'user', content: 'go' },
      { role: 'assistant', content: 'Looking.', toolCalls: [
        { id: 'toolu_1', name: 'a', arguments: { x: 1 } },
        { id: 'toolu_2', name: 'b', arguments: {} },
      ] },
      { role: 'tool', toolCallId: 'toolu_1', name: 'a', content: 'one' },
      { role: 'tool', toolCallId: 'toolu_2', name: 'b', content: 'two failed', isError: true },
      { role: 'user', content: 'and now?' },
    ];
    const body = toAnthropicRequest(request({ messages, tools: [{ name: 'a', description: 'A', parameters: { type: 'object', properties: { x: { type: 'number' } } } }] }));
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      system: 'rule one\n\nrule two',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'a', input: { x: 1 } },
          { type: 'tool_use', id: 'toolu_2', name: 'b', input: {} },
        ] },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'one' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'two failed', is_error: true },
          { type: 'text', text: 'and now?' },
        ] },
      ],
      tools: [{ name: 'a', description: 'A', input_schema: { type: 'object', properties: { x: { type: 'number' } } } }],
    });
  });

  it('clamps temperature to 0–1, sends top_p only below 1, leaves out empty text', () => {
    expect(toAnthropicRequest(request({ temperature: 1.5, topP: 1, maxTokens: 50 }))).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], temperature: 1 });
    expect(toAnthropicRequest(request({ topP: 0.9 })).top_p).toBe(0.9);
    const body = toAnthropicRequest(request({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '', toolCalls: [{ id: 't', name: 'a', arguments: {} }] }, { role: 'tool', toolCallId: 't', name: 'a', content: 'r' }] }));
    expect((body.messages as any[])[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'a', input: {} }] });
  });
});

describe('fromAnthropicResponse', () => {
  it('maps text and tool_use blocks, stop reasons and usage with cached tokens', () => {
    const response = fromAnthropicResponse(
      {
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'text', text: 'I will look.' }, { type: 'tool_use', id: 'toolu_9', name: 'a', input: { x: 2 } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 20, output_tokens: 7 },
      },
      request(),
    );
    expect(response).toEqual({ content: 'I will look.', toolCalls: [{ id: 'toolu_9', name: 'a', arguments: { x: 2 } }], finishReason: 'tool_calls', usage: { inputTokens: 35, outputTokens: 7 }, model: 'claude-sonnet-4-5-20250929' });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'other'],
  ])('stop_reason %s → %s', (stop, finish) => {
    expect(fromAnthropicResponse({ content: [{ type: 'text', text: 'x' }], stop_reason: stop, usage: { input_tokens: 1, output_tokens: 1 } }, request()).finishReason).toBe(finish);
  });

  it('answers null content when the model only calls tools', () => {
    expect(fromAnthropicResponse({ content: [{ type: 'tool_use', id: 't', name: 'a', input: {} }], stop_reason: 'tool_use', usage: { input_tokens: 1, output_tokens: 1 } }, request()).content).toBeNull();
  });
});
