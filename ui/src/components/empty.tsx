import type { ComponentChildren } from 'preact';

/** What an empty list says (e.g. "No workflows yet."), with optional hints or actions as children. */
export function Empty({ message, children }: { message: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p>{message}</p>
      {children}
    </div>
  );
}
