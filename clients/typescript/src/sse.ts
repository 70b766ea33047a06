import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CognitionOsError } from './errors';

/** One event of an execution's stream: the SPEC envelope of a domain event (SPEC section 1, "Events"). */
export interface ExecutionEvent {
  /** The event id; what `Last-Event-ID` resumes after. */
  id: string;
  position: string | number;
  tenantId: string;
  /** E.g. `WorkflowExecutionStarted`, `StepExecutionCompleted`, `WorkflowExecutionCompleted`. */
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: string;
  correlationId: string | null;
  [key: string]: unknown;
}

/** The events after which the server closes an execution's stream. */
export const TERMINAL_EXECUTION_EVENTS: ReadonlySet<string> = new Set(['WorkflowExecutionCompleted', 'WorkflowExecutionFailed', 'WorkflowExecutionCancelled']);

export interface ExecutionEventsOptions {
  /** Start strictly after this event (an `id` seen before), as a reconnecting EventSource would. */
  lastEventId?: string;
  /** Stops the stream (the iteration then ends without an error). */
  signal?: AbortSignal;
  /** Reconnections in a row without receiving an event before giving up (default 5). */
  maxReconnects?: number;
  /** Wait before a reconnection, doubled after each failed one, at most 10 s (default 500 ms). */
  reconnectDelayMs?: number;
}

export interface StreamConnection {
  baseUrl: string;
  headers: Record<string, string>;
  fetch: typeof globalThis.fetch;
}

/** 503 (an instance shutting down refuses new streams) and 429 (too many streams for now) are worth another try. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Follows `GET /api/v3/executions/{id}/events` until the execution ends. The server closes the
 * stream after the terminal event; a stream that ends before it (a dropped connection, a restart)
 * is reopened with `Last-Event-ID` = the last event received, so every event arrives once, in order.
 * A 4xx answer is thrown as `CognitionOsError`.
 */
export async function* executionEvents(connection: StreamConnection, executionId: string, options: ExecutionEventsOptions = {}): AsyncGenerator<ExecutionEvent, void, undefined> {
  const maxReconnects = options.maxReconnects ?? 5;
  let delay = options.reconnectDelayMs ?? 500;
  let lastEventId = options.lastEventId;
  let failures = 0;
  const url = `${connection.baseUrl}/api/v3/executions/${encodeURIComponent(executionId)}/events`;
  while (!options.signal?.aborted) {
    let received = false;
    let lastError: unknown;
    try {
      const headers: Record<string, string> = { ...connection.headers, accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const response = await connection.fetch(url, { headers, signal: options.signal });
      if (!response.ok) {
        const error = await CognitionOsError.fromResponse(response);
        if (!RETRYABLE.has(response.status)) throw error;
        lastError = error;
      } else if (response.body) {
        let ended = false;
        for await (const message of messages(response.body)) {
          if (!message.data) continue;
          const event = JSON.parse(message.data) as ExecutionEvent;
          lastEventId = message.id ?? event.id;
          received = true;
          ended = TERMINAL_EXECUTION_EVENTS.has(event.type);
          yield event;
        }
        // The server closes the stream after the terminal event; a stream that ends before it was cut.
        if (ended) return;
        // Nothing after our Last-Event-ID and closed at once: the execution had ended before it.
        if (!received && (await hasEnded(connection, executionId, options.signal))) return;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof CognitionOsError || error instanceof SyntaxError) throw error;
      lastError = error;
    }
    if (received) {
      failures = 0;
      delay = options.reconnectDelayMs ?? 500;
    } else if (++failures > maxReconnects) {
      throw lastError ?? new Error(`the event stream of execution ${executionId} kept closing without events`);
    }
    await sleep(delay, options.signal);
    if (!received) delay = Math.min(delay * 2, 10_000);
  }
}

const TERMINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);

async function hasEnded(connection: StreamConnection, executionId: string, signal?: AbortSignal): Promise<boolean> {
  const response = await connection.fetch(`${connection.baseUrl}/api/v3/executions/${encodeURIComponent(executionId)}`, { headers: connection.headers, signal });
  if (!response.ok) throw await CognitionOsError.fromResponse(response);
  const execution = (await response.json()) as { status?: string };
  return TERMINAL_STATUSES.has(String(execution.status));
}

/** The SSE messages of a response body, parsed with eventsource-parser (comments and keep-alives skipped). */
async function* messages(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage, void, undefined> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) yield queue.shift() as EventSourceMessage;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
