import { useState } from 'preact/hooks';

/** Runs one action at a time, keeping its failure (shown with ProblemView) until the next one. */
export function useAction() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (name: string, action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(name);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}
