import { ModelMessage, ModelProviderError, ModelRequest, ModelResponse, ModelToolCall, ModelToolSpec } from '../../domain/model-provider.port';
import { conversationChars, estimateTokens } from './token-estimate';
import { objectSchema } from './tool-schema';

/**
 * Translation between the provider-neutral port and the Chat Completions wire format
 * (POST /chat/completions of OpenAI and of compatible servers: Azure OpenAI v1, Ollama, vLLM,
 * LM Studio, llama.cpp, OpenRouter…). Pure functions.
 */
export const OPENAI_LABEL = 'OpenAI-compatible API';

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…) refuse `max_tokens` (they take
 * `max_completion_tokens`) and any temperature / top_p other than the default.
 */
const REASONING_MODEL = /^(o\d|gpt-5)/i;

export function toOpenAiChatRequest(request: ModelRequest): Record<string, unknown> {
  const reasoning = REASONING_MODEL.test(request.model);
  const body: Record<string, unknown> = { model: request.model, messages: request.messages.map(toWireMessage) };
  if (request.tools?.length) body.tools = request.tools.map(toWireTool);
  if (!reasoning && request.temperature !== undefined) body.temperature = request.temperature;
  if (!reasoning && request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body[reasoning ? 'max_completion_tokens' : 'max_tokens'] = request.maxTokens;
  return body;
}

function toWireMessage(message: ModelMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
      };
    }
    case 'tool':
      // Chat Completions has no error flag on a tool result: say it in the content.
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.isError ? `Error: ${message.content}` : message.content };
  }
}

function toWireTool(tool: ModelToolSpec): Record<string, unknown> {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: objectSchema(tool.parameters) } };
}

export function fromOpenAiChatResponse(json: unknown, request: ModelRequest): ModelResponse {
  const body = json as Record<string, any>;
  const choice = Array.isArray(body?.choices) ? body.choices[0] : undefined;
  const message = choice?.message;
  if (!message || typeof message !== 'object') {
    throw new ModelProviderError('MODEL_PROVIDER_ERROR', `${OPENAI_LABEL} answered without choices[0].message`, 200);
  }
  const toolCalls: ModelToolCall[] = (Array.isArray(message.tool_calls) ? message.tool_calls : [])
    .filter((call: any) => call?.function && typeof call.function.name === 'string')
    .map((call: any, index: number) => ({ id: typeof call.id === 'string' && call.id ? call.id : `call_${index}`, name: call.function.name, arguments: parseToolArguments(call.function.arguments) }));
  let content = textOf(message.content);
  if (content === '' && toolCalls.length > 0) content = null;
  const usage = body.usage;
  const hasUsage = typeof usage?.prompt_tokens === 'number' && typeof usage?.completion_tokens === 'number';
  return {
    content,
    toolCalls,
    // Some compatible servers (older Ollama) say `stop` even when they return tool calls.
    finishReason: toolCalls.length > 0 ? 'tool_calls' : finishReason(choice.finish_reason),
    usage: hasUsage
      ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens }
      : // A server that reports no usage is charged an estimate, so budgets still hold.
        { inputTokens: estimateTokens(conversationChars(request.messages)), outputTokens: estimateTokens((content?.length ?? 0) + toolCalls.reduce((n, c) => n + JSON.stringify(c.arguments).length, 0)) },
    model: typeof body.model === 'string' && body.model ? body.model : request.model,
  };
}

/** A tool call's arguments: a JSON string of an object (`""` means none); anything else is `{_raw}`. */
export function parseToolArguments(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== 'string') return { _raw: JSON.stringify(raw ?? null) };
  if (raw.trim() === '') return {};
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through
  }
  return { _raw: raw };
}

function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return null;
}

function finishReason(reason: unknown): ModelResponse['finishReason'] {
  if (reason === 'stop') return 'stop';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  return 'other';
}
