import { ConversationItem, defaultReply, FakeApi, FakeModelServer, FakeRequest, fakeTokens, isObject, randomId, replyChars, startFakeHttpServer } from './fake-http-server';

export interface OpenAiFakeOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401, like OpenAI). Unset: no auth, like Ollama. */
  apiKey?: string;
}

/**
 * A fake OpenAI Chat Completions server (POST {baseUrl}/chat/completions, baseUrl ending in /v1).
 * Answers with the real `chat.completion` shape; checks requests the way OpenAI does and refuses a
 * malformed one with a 400 `{error: {message, type, param, code}}` (unknown fields, a tool message
 * without tool_call_id or not answering a preceding tool call, arguments that are not a string,
 * tool calls left without results…). See defaultReply for the default script.
 * Prompt tokens: ceil(chars of every message's content and tool-call arguments / 4).
 */
export function startOpenAiFakeServer(options: OpenAiFakeOptions = {}): Promise<FakeModelServer> {
  return startFakeHttpServer(openAiApi(options), '/v1');
}

const KNOWN_FIELDS = new Set([
  'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stream', 'stream_options',
  'stop', 'n', 'seed', 'user', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'response_format', 'reasoning_effort',
  'metadata', 'store', 'service_tier', 'modalities', 'prediction', 'audio', 'web_search_options', 'verbosity', 'prompt_cache_key', 'safety_identifier',
]);
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function openAiApi(options: OpenAiFakeOptions): FakeApi {
  return {
    check(request) {
      if (request.method !== 'POST' || request.path !== '/v1/chat/completions') return refuse(404, `Invalid URL (${request.method} ${request.path})`);
      if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        return { status: 401, body: openAiError('Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', null, 'invalid_api_key') };
      }
      const problem = checkBody(request.body);
      return problem ? refuse(400, problem.message, problem.param) : null;
    },
    answer(request) {
      const body = request.body;
      const items = conversation(body.messages);
      const reply = defaultReply(items, (body.tools ?? []).map((t: any) => t.function.name));
      const prompt = fakeTokens(promptChars(body.messages));
      const limit = body.max_completion_tokens ?? body.max_tokens;
      let finish = reply.kind === 'tool_calls' ? 'tool_calls' : 'stop';
      let message: Record<string, unknown>;
      if (reply.kind === 'tool_calls') {
        message = { role: 'assistant', content: null, refusal: null, tool_calls: reply.calls.map((c) => ({ id: randomId('call_'), type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) };
      } else {
        let text = reply.text;
        if (typeof limit === 'number' && fakeTokens(text.length) > limit) [text, finish] = [text.slice(0, limit * 4), 'length'];
        message = { role: 'assistant', content: text, refusal: null, annotations: [] };
      }
      const completion = fakeTokens(message.content !== null ? String(message.content).length : replyChars(reply));
      return {
        id: randomId('chatcmpl-', 29),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
      };
    },
    errorBody(status) {
      if (status === 429) return openAiError('Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.', 'requests', 'requests', 'rate_limit_exceeded');
      if (status === 401) return openAiError('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
      if (status === 404) return openAiError('The model `missing` does not exist or you do not have access to it.', 'invalid_request_error', null, 'model_not_found');
      if (status >= 500) return openAiError('The server had an error while processing your request. Sorry about that!', 'server_error', null, null);
      return openAiError('Invalid request.', 'invalid_request_error', null, null);
    },
  };
}

export function openAiError(message: string, type: string, param: string | null, code: string | null) {
  return { error: { message, type, param, code } };
}

function refuse(status: number, message: string, param: string | null = null) {
  return { status, body: openAiError(message, 'invalid_request_error', param, null) };
}

type Problem = { message: string; param: string | null } | null;

function checkBody(body: unknown): Problem {
  if (!isObject(body)) return { message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", param: null };
  const unknown = Object.keys(body).find((key) => !KNOWN_FIELDS.has(key));
  if (unknown) return { message: `Unrecognized request argument supplied: ${unknown}`, param: null };
  if (typeof body.model !== 'string' || !body.model) return { message: 'you must provide a model parameter', param: null };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: 'messages' };
  const range = (name: string, max: number): Problem =>
    body[name] !== undefined && (typeof body[name] !== 'number' || body[name] < 0 || body[name] > max) ? { message: `Invalid '${name}': expected a number between 0 and ${max}, but got ${JSON.stringify(body[name])} instead.`, param: name } : null;
  const count = (name: string): Problem =>
    body[name] !== undefined && (!Number.isInteger(body[name]) || body[name] < 1) ? { message: `Invalid '${name}': integer below minimum value. Expected a value >= 1, but got ${JSON.stringify(body[name])} instead.`, param: name } : null;
  return range('temperature', 2) ?? range('top_p', 1) ?? count('max_tokens') ?? count('max_completion_tokens') ?? checkTools(body.tools) ?? checkMessages(body.messages);
}

function checkTools(tools: unknown): Problem {
  if (tools === undefined) return null;
  if (!Array.isArray(tools) || tools.length === 0) return { message: "Invalid 'tools': expected a non-empty array.", param: 'tools' };
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || tool.type !== 'function') return { message: `Missing required parameter: 'tools[${i}].type'.`, param: `tools[${i}].type` };
    const fn = tool.function;
    if (!isObject(fn) || typeof fn.name !== 'string') return { message: `Missing required parameter: 'tools[${i}].function.name'.`, param: `tools[${i}].function.name` };
    if (!TOOL_NAME.test(fn.name)) return { message: `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, param: `tools[${i}].function.name` };
    if (fn.parameters !== undefined && (!isObject(fn.parameters) || fn.parameters.type !== 'object')) {
      return { message: `Invalid schema for function '${fn.name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${fn.parameters?.type}"'.`, param: `tools[${i}].function.parameters` };
    }
  }
  return null;
}

function checkMessages(messages: unknown[]): Problem {
  /** Tool call ids of the last assistant message still waiting for their tool messages. */
  let pending: string[] = [];
  let pendingAt = -1;
  const unanswered = (): Problem => ({
    message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
    param: `messages.[${pendingAt}].role`,
  });
  for (const [i, message] of messages.entries()) {
    const at = `messages.[${i}]`;
    if (!isObject(message)) return { message: `Invalid type for '${at}': expected an object.`, param: at };
    if (!ROLES.includes(message.role)) return { message: `Invalid value: '${message.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, param: `${at}.role` };
    if (message.role !== 'tool' && pending.length > 0) return unanswered();
    if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string') return { message: `Missing required parameter: '${at}.tool_call_id'.`, param: `${at}.tool_call_id` };
      if (!pending.includes(message.tool_call_id)) return { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: `${at}.role` };
      pending = pending.filter((id) => id !== message.tool_call_id);
      if (!isText(message.content)) return { message: `Invalid type for '${at}.content': expected one of a string or array of objects.`, param: `${at}.content` };
      continue;
    }
    if (message.role === 'assistant') {
      const calls = message.tool_calls;
      if (calls !== undefined) {
        if (!Array.isArray(calls) || calls.length === 0) return { message: `Invalid '${at}.tool_calls': empty array. Expected an array with minimum length 1.`, param: `${at}.tool_calls` };
        for (const [j, call] of calls.entries()) {
          const p = `${at}.tool_calls.[${j}]`;
          if (!isObject(call) || typeof call.id !== 'string') return { message: `Missing required parameter: '${p}.id'.`, param: `${p}.id` };
          if (call.type !== 'function') return { message: `Missing required parameter: '${p}.type'.`, param: `${p}.type` };
          if (!isObject(call.function) || typeof call.function.name !== 'string') return { message: `Missing required parameter: '${p}.function.name'.`, param: `${p}.function.name` };
          if (typeof call.function.arguments !== 'string') return { message: `Invalid type for '${p}.function.arguments': expected a string, but got ${typeof call.function.arguments} instead.`, param: `${p}.function.arguments` };
        }
        pending = calls.map((call: any) => call.id);
        pendingAt = i;
      }
      if (message.content === undefined || message.content === null ? calls === undefined : !isText(message.content)) return { message: `Missing required parameter: '${at}.content'.`, param: `${at}.content` };
      continue;
    }
    if (!isText(message.content)) return { message: `Missing required parameter: '${at}.content'.`, param: `${at}.content` };
  }
  return pending.length > 0 ? unanswered() : null;
}

function isText(content: unknown): boolean {
  return typeof content === 'string' || (Array.isArray(content) && content.every((part) => isObject(part) && typeof part.type === 'string'));
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

function conversation(messages: any[]): ConversationItem[] {
  return messages.flatMap((m): ConversationItem[] => {
    if (m.role === 'user') return [{ kind: 'user_text', text: textOf(m.content) }];
    if (m.role === 'tool') return [{ kind: 'tool_result', content: textOf(m.content) }];
    return [];
  });
}

function promptChars(messages: any[]): number {
  return messages.reduce((n, m) => n + textOf(m.content).length + (m.tool_calls ?? []).reduce((k: number, c: any) => k + c.function.arguments.length, 0), 0);
}

export type { FakeModelServer, FakeRequest };
