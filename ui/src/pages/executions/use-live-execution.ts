import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CognitionOsClient, components, ExecutionEvent } from '@client';
import { useClient } from '../../api';
import type { StepExecution } from './step-model';

export type Execution = components['schemas']['ExecutionResponseDto'];

/** The state of the execution's event stream. */
export type StreamState = 'connecting' | 'live' | 'ended' | 'failed';

export interface LiveExecution {
  execution: Execution | undefined;
  /** Every step row (all pages of GET /executions/{id}/steps). */
  steps: StepExecution[];
  /** The last load's failure (kept data stays shown). */
  error: unknown;
  stream: StreamState;
  streamError: unknown;
  /** The latest events received, newest last (at most MAX_EVENTS). */
  events: ExecutionEvent[];
  /** Loads again now (after an action). */
  refresh: () => void;
  /** Follows the stream again after it ended (after a retry), from the last event received. */
  follow: () => void;
}

const MAX_EVENTS = 50;
/** Events arriving in a burst cause one reload, at most this often. */
const REFRESH_GAP_MS = 250;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** The execution and every step row: GET /executions/{id}, then the remaining pages of its steps. */
async function loadExecution(api: CognitionOsClient, id: string, signal: AbortSignal): Promise<{ execution: Execution; steps: StepExecution[] }> {
  const execution = await api.get('/api/v3/executions/{id}', { params: { path: { id } }, signal });
  const steps = [...(execution.steps ?? [])];
  let cursor = execution.stepsNextCursor ?? null;
  while (cursor) {
    const page = await api.get('/api/v3/executions/{id}/steps', { params: { path: { id }, query: { cursor, limit: 100 } }, signal });
    steps.push(...page.items);
    cursor = page.nextCursor;
  }
  return { execution, steps };
}

/**
 * An execution kept up to date from its event stream (`api.events(id)`: fetch-based SSE with the
 * Authorization header, resumed by the client after a dropped connection, ending with the execution).
 * Each burst of events reloads the execution and its steps once, so the view always shows the
 * stored state, forEach items included.
 */
export function useLiveExecution(id: string): LiveExecution {
  const api = useClient();
  const [data, setData] = useState<{ execution?: Execution; steps: StepExecution[]; error?: unknown }>({ steps: [] });
  const [stream, setStream] = useState<StreamState>('connecting');
  const [streamError, setStreamError] = useState<unknown>(undefined);
  const [events, setEvents] = useState<ExecutionEvent[]>([]);
  const [following, setFollowing] = useState(0);
  const lastEventId = useRef<string | undefined>(undefined);

  // One load at a time; a request during a load runs one more after it.
  const loader = useRef({ running: false, again: false, timer: 0 as ReturnType<typeof setTimeout> | 0, controller: new AbortController() });
  const load = useCallback(() => {
    const l = loader.current;
    if (l.running) {
      l.again = true;
      return;
    }
    l.running = true;
    const signal = l.controller.signal;
    loadExecution(api, id, signal)
      .then((loaded) => {
        if (!signal.aborted) setData({ ...loaded, error: undefined });
      })
      .catch((error: unknown) => {
        if (!signal.aborted) setData((previous) => ({ ...previous, error }));
      })
      .finally(() => {
        l.running = false;
        if (l.again && !signal.aborted) {
          l.again = false;
          load();
        }
      });
  }, [api, id]);
  const soon = useCallback(() => {
    const l = loader.current;
    if (l.timer) return;
    l.timer = setTimeout(() => {
      l.timer = 0;
      load();
    }, REFRESH_GAP_MS);
  }, [load]);

  useEffect(() => {
    const l = loader.current;
    l.controller = new AbortController();
    lastEventId.current = undefined;
    setData({ steps: [] });
    setEvents([]);
    load();
    return () => {
      l.controller.abort();
      if (l.timer) clearTimeout(l.timer);
      l.timer = 0;
      l.running = false;
      l.again = false;
    };
  }, [load]);

  useEffect(() => {
    const controller = new AbortController();
    setStream('connecting');
    setStreamError(undefined);
    (async () => {
      let opened = false;
      for await (const event of api.events(id, { signal: controller.signal, lastEventId: lastEventId.current })) {
        if (!opened) {
          opened = true;
          setStream('live');
        }
        lastEventId.current = event.id;
        setEvents((previous) => [...previous.slice(-(MAX_EVENTS - 1)), event]);
        soon();
      }
      if (!controller.signal.aborted) {
        setStream('ended');
        soon();
      }
    })().catch((error: unknown) => {
      if (controller.signal.aborted) return;
      setStream('failed');
      setStreamError(error);
    });
    return () => controller.abort();
  }, [api, id, following, soon]);

  // The stream says when the execution ends; a stream that could not be followed falls back to polling.
  const status = data.execution?.status;
  useEffect(() => {
    if (stream !== 'failed' || !status || TERMINAL.has(status)) return undefined;
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [stream, status, load]);

  return {
    execution: data.execution,
    steps: data.steps,
    error: data.error,
    stream,
    streamError,
    events,
    refresh: load,
    follow: useCallback(() => setFollowing((n) => n + 1), []),
  };
}
