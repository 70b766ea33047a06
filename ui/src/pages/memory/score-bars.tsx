/** A score as its number and a small bar (a <meter>: no inline styles, read by screen readers as a value). */
export function ScoreBar({ label, value, max }: { label: string; value: number | undefined; max: number }) {
  if (value === undefined || value === null) {
    return (
      <span class="score score-none" aria-label={`${label}: none`}>
        —
      </span>
    );
  }
  const top = max > 0 ? max : 1;
  return (
    <span class="score" data-score={label}>
      <span class="score-value">{formatScore(value)}</span>
      <meter class="score-bar" min={0} max={top} value={Math.max(0, Math.min(value, top))} aria-label={`${label} ${formatScore(value)}`} />
    </span>
  );
}

/** Scores have very different ranges (a fused RRF score is ~0.03, a cosine up to 1): 4 significant digits. */
export function formatScore(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 1 ? value.toFixed(3) : value.toPrecision(4);
}
