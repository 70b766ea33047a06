import { ModelMessage, ModelProviderError, ModelRequest, ModelResponse, ModelToolCall } from '../../domain/model-provider.port';
import { conversationChars, estimateTokens } from './token-estimate';
import { objectSchema } from './tool-schema';

/** Translation between the provider-neutral port and the Anthropic Messages API (POST /v1/messages). Pure functions. */
export const ANTHROPIC_LABEL = 'Anthropic API';
export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by the Messages API; used when the request names none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown> & { type: string };
interface WireMessage {
  role: 'user' | 'assistant';
  content: Block[] | string;
}

/**
 * System messages go to the top-level `system`; assistant tool calls become `tool_use` blocks and
 * tool results `tool_result` blocks of a user message. Consecutive messages of one role (e.g. the
 * results of parallel tool calls) are merged into one message, and empty text blocks (which the API
 * refuses) are left out. Temperature is clamped to Anthropic's 0–1; top_p is sent only below 1
 * (newer models refuse temperature and top_p together, and 1 changes nothing).
 */
export function toAnthropicRequest(request: ModelRequest): Record<string, unknown> {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .filter((text) => text.trim() !== '')
    .join('\n\n');
  const body: Record<string, unknown> = { model: request.model, max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS };
  if (system) body.system = system;
  body.messages = toWireMessages(request.messages);
  if (request.tools?.length) body.tools = request.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: objectSchema(tool.parameters) }));
  if (request.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, request.temperature));
  if (request.topP !== undefined && request.topP < 1) body.top_p = request.topP;
  return body;
}

function toWireMessages(messages: ModelMessage[]): WireMessage[] {
  const out: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    if (message.role === 'user') push('user', textBlocks(message.content));
    if (message.role === 'assistant') {
      const calls = (message.toolCalls ?? []).map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments }));
      push('assistant', [...textBlocks(message.content), ...calls]);
    }
    if (message.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content, ...(message.isError ? { is_error: true } : {}) }]);
  }
  // A message that is one text block is sent in the short string form.
  return out.map((m) => (m.content.length === 1 && m.content[0].type === 'text' ? { role: m.role, content: m.content[0].text as string } : m));
}

function textBlocks(text: string | null): Block[] {
  return text && text.trim() !== '' ? [{ type: 'text', text }] : [];
}

export function fromAnthropicResponse(json: unknown, request: ModelRequest): ModelResponse {
  const body = json as Record<string, any>;
  if (!Array.isArray(body?.content)) throw new ModelProviderError('MODEL_PROVIDER_ERROR', `${ANTHROPIC_LABEL} answered without a content array`, 200);
  const blocks = body.content as Array<Record<string, any>>;
  const texts = blocks.filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
  const toolCalls: ModelToolCall[] = blocks
    .filter((b) => b?.type === 'tool_use' && typeof b.name === 'string')
    .map((b) => ({ id: String(b.id), name: b.name, arguments: isObject(b.input) ? b.input : { _raw: JSON.stringify(b.input ?? null) } }));
  const content = texts.length > 0 ? texts.join('') : toolCalls.length > 0 ? null : '';
  const usage = body.usage;
  const hasUsage = typeof usage?.input_tokens === 'number' && typeof usage?.output_tokens === 'number';
  return {
    content,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : stopReason(body.stop_reason),
    usage: hasUsage
      ? // Cached prompt tokens are reported apart from input_tokens; they are tokens used all the same.
        { inputTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0), outputTokens: usage.output_tokens }
      : { inputTokens: estimateTokens(conversationChars(request.messages)), outputTokens: estimateTokens((content?.length ?? 0) + toolCalls.reduce((n, c) => n + JSON.stringify(c.arguments).length, 0)) },
    model: typeof body.model === 'string' && body.model ? body.model : request.model,
  };
}

function stopReason(reason: unknown): ModelResponse['finishReason'] {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
