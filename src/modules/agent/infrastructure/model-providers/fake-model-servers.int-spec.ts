import { startAnthropicFakeServer } from '@cognition/test-support/fakes/anthropic-fake-server';
import { toolDirectives } from '@cognition/test-support/fakes/fake-http-server';
import { startOpenAiFakeServer } from '@cognition/test-support/fakes/openai-fake-server';

/** The fakes the adapter tests rely on: real response shapes, and the refusals of the real APIs. */
const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
};

describe('OpenAI fake server', () => {
  it('answers in the chat.completion shape', async () => {
    const fake = await startOpenAiFakeServer();
    try {
      const { status, body } = await post(`${fake.baseUrl}/chat/completions`, { model: 'gpt-4o', messages: [{ role: 'user', content: 'abcd' }] });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'gpt-4o',
        choices: [{ index: 0, message: { role: 'assistant', content: 'done: abcd' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
      });
    } finally {
      await fake.close();
    }
  });

  it.each([
    ['an unknown field', { model: 'm', messages: [{ role: 'user', content: 'x' }], maxTokens: 5 }, 'Unrecognized request argument supplied: maxTokens'],
    ['a tool message without tool_call_id', { model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', content: 'r' }] }, "Missing required parameter: 'messages.[2].tool_call_id'."],
    ['arguments that are not a string', { model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }, { role: 'tool', tool_call_id: 'c', content: 'r' }] }, "Invalid type for 'messages.[1].tool_calls.[0].function.arguments'"],
    ['a tool call left unanswered', { model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'user', content: 'y' }] }, 'did not have response messages: c'],
    ['a tool without type', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ function: { name: 'f' } }] }, "Missing required parameter: 'tools[0].type'."],
    ['temperature above 2', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 2.5 }, "Invalid 'temperature'"],
  ])('refuses %s with a 400 in OpenAI error format', async (_, body, message) => {
    const fake = await startOpenAiFakeServer();
    try {
      const response = await post(`${fake.baseUrl}/chat/completions`, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { message: expect.stringContaining(message), type: 'invalid_request_error', param: response.body.error.param, code: null } });
      expect(Object.keys(response.body.error)).toEqual(['message', 'type', 'param', 'code']);
    } finally {
      await fake.close();
    }
  });

  it('refuses a wrong path, and a missing key when it has one', async () => {
    const fake = await startOpenAiFakeServer({ apiKey: 'k' });
    try {
      expect((await post(`${fake.baseUrl}/completions`, {})).status).toBe(404);
      const unauthorised = await post(`${fake.baseUrl}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
      expect(unauthorised).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key' } } });
    } finally {
      await fake.close();
    }
  });
});

describe('Anthropic fake server', () => {
  const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };

  it('answers in the message shape', async () => {
    const fake = await startAnthropicFakeServer();
    try {
      const { status, body } = await post(`${fake.baseUrl}/v1/messages`, { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'abcd' }] }, headers);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: expect.stringMatching(/^msg_01/),
        type: 'message',
        role: 'assistant',
        model: 'claude-x',
        content: [{ type: 'text', text: 'done: abcd' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 3 },
      });
    } finally {
      await fake.close();
    }
  });

  it.each([
    ['a request without max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens: Field required'],
    ['a system role in messages', { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'x' }] }, 'Unexpected role "system"'],
    ['temperature above 1', { model: 'm', max_tokens: 5, temperature: 1.2, messages: [{ role: 'user', content: 'x' }] }, 'temperature: Input should be less than or equal to 1'],
    ['an empty text block', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, 'text content blocks must contain non-whitespace text'],
    ['an OpenAI-style tool', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', parameters: { type: 'object' } }] }, 'tools.0.custom.parameters: Extra inputs are not permitted'],
    ['tool results split over two messages', {
      model: 'm', max_tokens: 5,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }, { type: 'tool_use', id: 'b', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: '1' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b', content: '2' }] },
      ],
    }, 'without `tool_result` blocks immediately after: b'],
  ])('refuses %s with a 400 in Anthropic error format', async (_, body, message) => {
    const fake = await startAnthropicFakeServer();
    try {
      const response = await post(`${fake.baseUrl}/v1/messages`, body, headers);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining(message) } });
    } finally {
      await fake.close();
    }
  });

  it('requires x-api-key and anthropic-version', async () => {
    const fake = await startAnthropicFakeServer();
    try {
      const body = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] };
      expect(await post(`${fake.baseUrl}/v1/messages`, body, { 'anthropic-version': '2023-06-01' })).toMatchObject({ status: 401, body: { error: { type: 'authentication_error' } } });
      expect(await post(`${fake.baseUrl}/v1/messages`, body, { 'x-api-key': 'k' })).toMatchObject({ status: 400, body: { error: { message: 'anthropic-version: header is required' } } });
      expect(fake.requests).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  it('does not consume a scripted response when it refuses a request', async () => {
    const fake = await startAnthropicFakeServer();
    try {
      fake.enqueue({ status: 529 });
      expect((await post(`${fake.baseUrl}/v1/messages`, { model: 'm', messages: [] }, headers)).status).toBe(400);
      expect(await post(`${fake.baseUrl}/v1/messages`, { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, headers)).toMatchObject({ status: 529, body: { type: 'error', error: { type: 'overloaded_error' } } });
    } finally {
      await fake.close();
    }
  });
});

describe('tool directives', () => {
  it('reads names and JSON args, including args containing ]]', () => {
    expect(toolDirectives('a [[tool:x]] b [[tool:y {"list":[[1,2]]}]] c [[tool:z {bad]]')).toEqual([
      { name: 'x', args: {} },
      { name: 'y', args: { list: [[1, 2]] } },
    ]);
  });
});
