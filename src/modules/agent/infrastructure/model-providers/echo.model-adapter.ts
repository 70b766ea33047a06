import { Injectable } from '@nestjs/common';
import { ModelMessage, ModelRequest, ModelResponse, ModelToolCall } from '../../domain/model-provider.port';
import { ModelAdapter } from './model-adapter';
import { conversationChars, estimateTokens } from './token-estimate';

/** A line `call <toolName> <json-args>` (args optional) in the last user message asks echo for a tool call. */
const CALL_LINE = /^\s*call\s+([A-Za-z0-9_.:-]+)(?:\s+(.*\S))?\s*$/;

/**
 * `echo`: the offline provider for development and tests. No network, fully deterministic:
 * - the last message is a tool result → `tool <name> returned: <content>`;
 * - the last user message has lines `call <tool> <json-args>` for tools offered in the request, and
 *   no tool result follows it → those tool calls (ids `echo_call_<n>`, n counting every tool call
 *   of the conversation from 1; unparsable args arrive as `{_raw}` like a real provider's);
 * - otherwise → the last user message's text.
 * Usage: ceil(chars / 4), at least 1, of every message's text (tool-call arguments as JSON) in,
 * and of the reply out. A reply longer than maxTokens · 4 characters is cut there (`length`).
 */
@Injectable()
export class EchoModelAdapter extends ModelAdapter {
  readonly provider = 'echo';

  async complete(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const { messages } = request;
    const last = messages.at(-1);
    let content: string | null;
    let toolCalls: ModelToolCall[] = [];
    if (last?.role === 'tool') {
      content = `tool ${last.name} returned: ${last.content}`;
    } else {
      const userIndex = messages.map((m) => m.role).lastIndexOf('user');
      const user = messages[userIndex] as Extract<ModelMessage, { role: 'user' }> | undefined;
      const answered = messages.slice(userIndex + 1).some((m) => m.role === 'tool');
      if (user && !answered) toolCalls = callsIn(user.content, new Set((request.tools ?? []).map((t) => t.name)), toolCallsSoFar(messages));
      content = toolCalls.length > 0 ? null : (user?.content ?? '');
    }
    let finishReason: ModelResponse['finishReason'] = toolCalls.length > 0 ? 'tool_calls' : 'stop';
    if (content !== null && request.maxTokens !== undefined && content.length > request.maxTokens * 4) {
      content = content.slice(0, request.maxTokens * 4);
      finishReason = 'length';
    }
    const replyChars = (content?.length ?? 0) + toolCalls.reduce((n, call) => n + JSON.stringify(call.arguments).length, 0);
    return {
      content,
      toolCalls,
      finishReason,
      usage: { inputTokens: estimateTokens(conversationChars(messages)), outputTokens: estimateTokens(replyChars) },
      model: request.model || 'echo',
    };
  }
}

function callsIn(text: string, offered: Set<string>, before: number): ModelToolCall[] {
  const calls: ModelToolCall[] = [];
  for (const line of text.split('\n')) {
    const match = CALL_LINE.exec(line);
    if (!match || !offered.has(match[1])) continue;
    calls.push({ id: `echo_call_${before + calls.length + 1}`, name: match[1], arguments: parseArgs(match[2]) });
  }
  return calls;
}

function parseArgs(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through
  }
  return { _raw: raw };
}

function toolCallsSoFar(messages: ModelMessage[]): number {
  return messages.reduce((n, m) => n + (m.role === 'assistant' ? (m.toolCalls?.length ?? 0) : 0), 0);
}
