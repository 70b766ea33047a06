import { ModelMessage } from '../../domain/model-provider.port';

/** About four characters a token: ceil(chars / 4), at least 1. Deterministic, for echo and fallbacks. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** Characters of text in a conversation: contents, tool results and tool-call arguments as JSON. */
export function conversationChars(messages: ModelMessage[]): number {
  let chars = 0;
  for (const message of messages) {
    chars += message.content?.length ?? 0;
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) chars += JSON.stringify(call.arguments).length;
  }
  return chars;
}
