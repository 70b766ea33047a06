/** A timestamp of the API (ISO-8601 UTC) in the reader's locale, or '—'. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A duration in ms as "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", or '—'. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/** The time between two timestamps (the second defaults to now), formatted. */
export function formatSpan(from: string | null | undefined, to?: string | null): string {
  if (!from) return '—';
  const end = to ? new Date(to).getTime() : Date.now();
  return formatDuration(end - new Date(from).getTime());
}

/** The last 8 characters of a UUID (the full id goes in a title attribute): a UUIDv7 starts with its timestamp, so ids made together share their first ones. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}
