import { useState } from 'preact/hooks';

/**
 * The cursors of a list walked page by page (`?cursor=` ← `nextCursor`): the current one, and the
 * way back. `reset()` when a filter changes.
 */
export function useCursors() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (cursor: string) => setStack((s) => [...s, cursor]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
  };
}

/** "Previous" and "Next" buttons of a paged list, with the page number. */
export function Pager({ label, page, nextCursor, onNext, onPrevious }: { label: string; page: number; nextCursor: string | null | undefined; onNext: (cursor: string) => void; onPrevious: () => void }) {
  if (page === 1 && !nextCursor) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={page === 1} onClick={onPrevious}>
        Previous page
      </button>
      <span class="muted small">Page {page}</span>
      <button type="button" class="secondary" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}
