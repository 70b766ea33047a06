import { useCallback, useState } from 'preact/hooks';
import type { CognitionOsClient } from '@client';
import { useClient } from '../../api';

/**
 * An action button's call (cancel, retry, terminate…): `run(fn)` calls `fn(api)` once at a time, keeps its
 * failure (a CognitionOsError: show it with ProblemView) until the next run, and calls `onDone` after a success.
 */
export function useAction(onDone: () => void): { run: (fn: (api: CognitionOsClient) => Promise<unknown>) => Promise<boolean>; busy: boolean; error: unknown; clear: () => void } {
  const api = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(
    async (fn: (api: CognitionOsClient) => Promise<unknown>) => {
      setBusy(true);
      setError(undefined);
      try {
        await fn(api);
        onDone();
        return true;
      } catch (e) {
        setError(e);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [api, onDone],
  );
  return { run, busy, error, clear: useCallback(() => setError(undefined), []) };
}
