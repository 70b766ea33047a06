/**
 * The port every model provider adapter implements (OpenAI-compatible Chat Completions, Anthropic
 * Messages, the offline echo provider). Messages and tool calls are provider-neutral here; each
 * adapter translates them to its API's native format. Framework-free.
 */
export interface ModelToolCall {
  /** The provider's id of the call (OpenAI `call_…`, Anthropic `toolu_…`); echoed back with the result. */
  id: string;
  name: string;
  /** Parsed arguments; a provider's unparsable JSON arguments arrive as `{ _raw: string }`. */
  arguments: Record<string, unknown>;
}

export type ModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ModelToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string; isError?: boolean };

export interface ModelToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  /** `openai`, `anthropic` or `echo`. */
  provider: string;
  model: string;
  messages: ModelMessage[];
  tools?: ModelToolSpec[];
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  signal?: AbortSignal;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ModelResponse {
  /** Final text (may be null when the model only asked for tools). */
  content: string | null;
  toolCalls: ModelToolCall[];
  usage: ModelUsage;
  finishReason: 'stop' | 'tool_calls' | 'length' | 'other';
  /** The model that answered, as the provider names it. */
  model: string;
}

export abstract class ModelProvider {
  /** Routes on `request.provider`; throws ModelProviderError on failure (after retries). */
  abstract complete(request: ModelRequest): Promise<ModelResponse>;
}

/**
 * A failed model call. `status` is the provider's HTTP status when there was one; `retryable`
 * says whether it was a 429/5xx/network error (already retried by the adapter when thrown).
 */
export class ModelProviderError extends Error {
  constructor(
    readonly code: 'MODEL_PROVIDER_ERROR' | 'MODEL_RATE_LIMITED' | 'MODEL_UNAVAILABLE' | 'MODEL_BAD_REQUEST' | 'MODEL_AUTH_FAILED' | 'MODEL_TIMEOUT' | 'MODEL_PROVIDER_UNKNOWN',
    message: string,
    readonly status: number | null = null,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'ModelProviderError';
  }
}

/** USD for a call of `model` with this usage, from a configurable price table (unknown model: 0). */
export abstract class PriceTable {
  abstract costOf(provider: string, model: string, usage: ModelUsage): number;
}
