/** A JSON value shown pretty-printed under a label; `null`/undefined as a muted "none". */
export function JsonBlock({ label, value }: { label: string; value: unknown }) {
  const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value as object).length === 0);
  return (
    <div class="obs-json">
      <h3>{label}</h3>
      {empty ? (
        <p class="muted small">none</p>
      ) : (
        <pre tabIndex={0} aria-label={label}>
          {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
        </pre>
      )}
    </div>
  );
}
