/**
 * When work still running at shutdown must have finished: the grace less its last fifth (at most
 * 2 s), which is kept for releasing what is left and writing results.
 */
export function finishBy(startedAt: number, graceSeconds: number): number {
  const grace = graceSeconds * 1000;
  return startedAt + grace - Math.min(2000, grace / 5);
}

/** Waits while `pending()` returns unsettled work, until all of it settles or `deadline` passes. */
export async function waitForPending(pending: () => Promise<unknown>[], deadline: number): Promise<void> {
  for (let open = pending(); open.length > 0 && Date.now() < deadline; open = pending()) {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
    await Promise.race([...open.map((p) => p.catch(() => undefined)), expired]);
    clearTimeout(timer);
  }
}
