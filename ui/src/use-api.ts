import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CognitionOsClient } from '@client';
import { useClient } from './api';

export interface ApiState<T> {
  /** The last successful answer (kept while a reload runs, so a refresh does not flicker). */
  data: T | undefined;
  /** The last call's failure: a CognitionOsError (problem+json) or a network Error; cleared by a success. */
  error: unknown;
  /** True while a call is in flight (the first one or a reload). */
  loading: boolean;
  /** Calls `fn` again (e.g. after an action, or on a timer for live data). */
  reload: () => void;
}

/**
 * Runs `fn(api, signal)` with the session's typed client when the component mounts and whenever a
 * value in `deps` changes (like useEffect), and on `reload()`. A call superseded by a newer one or by
 * unmounting is aborted through `signal` and its answer ignored.
 *
 *   const { data, error, loading, reload } = useApi((api, signal) =>
 *     api.get('/api/v3/workflows', { params: { query: { status } }, signal }), [status]);
 */
export function useApi<T>(fn: (api: CognitionOsClient, signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): ApiState<T> {
  const api = useClient();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(fn);
  latest.current = fn;

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    latest
      .current(api, controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ data: previous.data, error, loading: false }));
      });
    return () => controller.abort();
  }, [api, generation, ...deps]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
