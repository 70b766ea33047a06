import { ConversationItem, defaultReply, FakeApi, FakeModelServer, FakeRequest, fakeTokens, isObject, randomId, startFakeHttpServer } from './fake-http-server';

export interface AnthropicFakeOptions {
  /** When set, `x-api-key` must equal it; unset, any non-empty key is accepted (a key is always required). */
  apiKey?: string;
}

/**
 * A fake Anthropic Messages API (POST {baseUrl}/v1/messages; baseUrl has no /v1, like
 * ANTHROPIC_BASE_URL). Answers with the real `message` shape; checks requests the way Anthropic
 * does and refuses a malformed one with `{type: 'error', error: {type, message}}`: missing
 * `x-api-key` (401) or `anthropic-version`, `max_tokens` or `model` (400), unknown fields, a
 * `system` role in messages, empty text blocks, temperature above 1, tool_use blocks not answered
 * by tool_result blocks in the very next message, tool_results answering nothing…
 * See defaultReply for the default script.
 * Input tokens: ceil(chars of system, text blocks, tool_use inputs as JSON and tool results / 4).
 */
export function startAnthropicFakeServer(options: AnthropicFakeOptions = {}): Promise<FakeModelServer> {
  return startFakeHttpServer(anthropicApi(options));
}

const KNOWN_FIELDS = new Set(['model', 'messages', 'max_tokens', 'system', 'tools', 'tool_choice', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'metadata', 'thinking', 'service_tier', 'container', 'mcp_servers']);
const BLOCK_FIELDS: Record<string, string[]> = {
  text: ['type', 'text', 'cache_control', 'citations'],
  image: ['type', 'source', 'cache_control'],
  document: ['type', 'source', 'title', 'context', 'citations', 'cache_control'],
  tool_use: ['type', 'id', 'name', 'input', 'cache_control'],
  tool_result: ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'],
};
const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

function anthropicApi(options: AnthropicFakeOptions): FakeApi {
  return {
    check(request) {
      if (request.method !== 'POST' || request.path !== '/v1/messages') return { status: 404, body: anthropicError('not_found_error', 'Not Found') };
      const key = request.headers['x-api-key'];
      if (!key) return { status: 401, body: anthropicError('authentication_error', 'x-api-key header is required') };
      if (options.apiKey !== undefined && key !== options.apiKey) return { status: 401, body: anthropicError('authentication_error', 'invalid x-api-key') };
      if (!request.headers['anthropic-version']) return { status: 400, body: anthropicError('invalid_request_error', 'anthropic-version: header is required') };
      const problem = checkBody(request.body);
      return problem ? { status: 400, body: anthropicError('invalid_request_error', problem) } : null;
    },
    answer(request) {
      const body = request.body;
      const reply = defaultReply(conversation(body.messages), (body.tools ?? []).map((t: any) => t.name));
      let content: Array<Record<string, unknown>>;
      let stopReason = 'end_turn';
      let outputChars: number;
      if (reply.kind === 'tool_calls') {
        content = reply.calls.map((c) => ({ type: 'tool_use', id: randomId('toolu_01', 22), name: c.name, input: c.args }));
        stopReason = 'tool_use';
        outputChars = reply.calls.reduce((n, c) => n + JSON.stringify(c.args).length, 0);
      } else {
        let text = reply.text;
        if (fakeTokens(text.length) > body.max_tokens) [text, stopReason] = [text.slice(0, body.max_tokens * 4), 'max_tokens'];
        content = [{ type: 'text', text }];
        outputChars = text.length;
      }
      return {
        id: randomId('msg_01', 22),
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: fakeTokens(promptChars(body)), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: fakeTokens(outputChars), service_tier: 'standard' },
      };
    },
    errorBody(status) {
      const [type, message] = ERROR_TYPES[status] ?? (status >= 500 ? ERROR_TYPES[500] : ERROR_TYPES[400]);
      return anthropicError(type, message);
    },
  };
}

export function anthropicError(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: randomId('req_011', 22) };
}

function checkBody(body: unknown): string | null {
  if (!isObject(body)) return 'There was an issue with your request body: it is not valid JSON';
  const unknown = Object.keys(body).find((key) => !KNOWN_FIELDS.has(key));
  if (unknown) return `${unknown}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) return 'temperature: Input should be less than or equal to 1';
  if (body.top_p !== undefined && (typeof body.top_p !== 'number' || body.top_p < 0 || body.top_p > 1)) return 'top_p: Input should be less than or equal to 1';
  if (body.system !== undefined && typeof body.system !== 'string' && !(Array.isArray(body.system) && body.system.every((b: any) => b?.type === 'text' && typeof b.text === 'string'))) {
    return 'system: Input should be a valid string or a list of text blocks';
  }
  return checkTools(body.tools) ?? checkMessages(body.messages);
}

function checkTools(tools: unknown): string | null {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.name !== 'string') return `tools.${i}.custom.name: Field required`;
    const extra = Object.keys(tool).find((k) => !['type', 'name', 'description', 'input_schema', 'cache_control'].includes(k));
    if (extra) return `tools.${i}.custom.${extra}: Extra inputs are not permitted`;
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
    if (!isObject(tool.input_schema)) return `tools.${i}.custom.input_schema: Field required`;
    if (tool.input_schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
  }
  return null;
}

function checkMessages(messages: unknown): string | null {
  if (!Array.isArray(messages)) return 'messages: Field required';
  if (messages.length === 0) return 'messages: at least one message is required';
  let previousToolUses: string[] = [];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return `messages.${i}: Input should be a valid dictionary`;
    if (message.role === 'system') return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && message.role !== 'user') return 'messages: first message must use the "user" role';
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(blocks)) return `messages.${i}.content: Input should be a valid string or a list of content blocks`;
    if (blocks.length === 0 && (i < messages.length - 1 || message.role === 'user')) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    const problem = checkBlocks(blocks, i, message.role, previousToolUses);
    if (problem) return problem;
    previousToolUses = message.role === 'assistant' ? blocks.filter((b: any) => b.type === 'tool_use').map((b: any) => b.id) : [];
    if (message.role === 'assistant' && previousToolUses.length > 0 && i === messages.length - 1) {
      return `messages.${i}: the final assistant message cannot contain \`tool_use\` blocks without their \`tool_result\` blocks in a following user message`;
    }
  }
  return null;
}

function checkBlocks(blocks: any[], i: number, role: string, toolUses: string[]): string | null {
  const answered = new Set<string>();
  for (const [j, block] of blocks.entries()) {
    const at = `messages.${i}.content.${j}`;
    const fields = BLOCK_FIELDS[block?.type];
    if (!isObject(block) || !fields) return `${at}: Input tag '${block?.type}' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'tool_use', 'tool_result'`;
    const extra = Object.keys(block).find((k) => !fields.includes(k));
    if (extra) return `${at}.${block.type}.${extra}: Extra inputs are not permitted`;
    if (block.type === 'text' && (typeof block.text !== 'string' || block.text.trim() === '')) return 'messages: text content blocks must contain non-whitespace text';
    if (block.type === 'tool_use') {
      if (role !== 'assistant') return `${at}: tool_use blocks are only allowed in assistant messages`;
      if (typeof block.id !== 'string' || typeof block.name !== 'string') return `${at}.tool_use.id: Field required`;
      if (!isObject(block.input)) return `${at}.tool_use.input: Input should be a valid dictionary`;
    }
    if (block.type === 'tool_result') {
      if (role !== 'user') return `${at}: tool_result blocks are only allowed in user messages`;
      if (typeof block.tool_use_id !== 'string') return `${at}.tool_result.tool_use_id: Field required`;
      if (!toolUses.includes(block.tool_use_id)) {
        return `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
      if (block.is_error !== undefined && typeof block.is_error !== 'boolean') return `${at}.tool_result.is_error: Input should be a valid boolean`;
      if (block.content !== undefined && typeof block.content !== 'string' && !Array.isArray(block.content)) return `${at}.tool_result.content: Input should be a valid string or a list of content blocks`;
      answered.add(block.tool_use_id);
    }
  }
  const missing = toolUses.filter((id) => !answered.has(id));
  if (missing.length > 0) {
    return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
  }
  return null;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (b?.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('');
  return '';
}

/** Per user message: its tool results, then its text blocks as one user text. */
function conversation(messages: any[]): ConversationItem[] {
  const items: ConversationItem[] = [];
  for (const message of messages) {
    if (message.role !== 'user') continue;
    const blocks: any[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    for (const block of blocks) if (block.type === 'tool_result') items.push({ kind: 'tool_result', content: textOf(block.content) });
    const texts = blocks.filter((b) => b.type === 'text').map((b) => b.text as string);
    if (texts.length > 0) items.push({ kind: 'user_text', text: texts.join('\n') });
  }
  return items;
}

function promptChars(body: any): number {
  let chars = textOf(body.system).length;
  for (const message of body.messages) {
    const blocks: any[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    for (const block of blocks) {
      if (block.type === 'text') chars += block.text.length;
      if (block.type === 'tool_use') chars += JSON.stringify(block.input).length;
      if (block.type === 'tool_result') chars += textOf(block.content).length;
    }
  }
  return chars;
}

export type { FakeModelServer, FakeRequest };
