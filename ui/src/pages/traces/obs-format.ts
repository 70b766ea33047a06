/** Formatting shared by the Traces, Agents and Tasks pages. */

/** A cost in US dollars: "$0", "$0.000123", "$0.0042", "$1.25". */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return `$${Number(usd.toPrecision(3))}`;
  return `$${usd.toFixed(2)}`;
}

/** A count with thousands separators ("12,345"). */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** A number read from span metadata (JSON), or undefined. */
export function metaNumber(metadata: Record<string, unknown>, key: string): number | undefined {
  const value = metadata[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A string read from span metadata, or undefined. */
export function metaString(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
