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

export interface PagerProps {
  /** The navigation landmark's name, e.g. "Executions pages". */
  label: string;
  canPrevious: boolean;
  canNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  /** Shown between the buttons, e.g. "Page 2". */
  status?: string;
  /** While a page loads, both buttons wait. */
  busy?: boolean;
}

/** "Previous page" and "Next page" of a paged list; nothing when there is one page only. */
export function Pager({ label, canPrevious, canNext, onPrevious, onNext, status, busy = false }: PagerProps) {
  if (!canPrevious && !canNext) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={!canPrevious || busy} onClick={onPrevious}>
        Previous page
      </button>
      {status && <span class="muted small">{status}</span>}
      <button type="button" class="secondary" disabled={!canNext || busy} onClick={onNext}>
        Next page
      </button>
    </nav>
  );
}

/** The Pager of a list paged by cursors (useCursors). */
export function CursorPager({ label, cursors, nextCursor, busy }: { label: string; cursors: ReturnType<typeof useCursors>; nextCursor: string | null | undefined; busy?: boolean }) {
  return (
    <Pager
      label={label}
      canPrevious={cursors.page > 1}
      canNext={!!nextCursor}
      onPrevious={cursors.previous}
      onNext={() => nextCursor && cursors.next(nextCursor)}
      status={`Page ${cursors.page}`}
      busy={busy}
    />
  );
}
