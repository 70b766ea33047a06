/**
 * `BENCH_QUICK=1` (set by `npm run bench -- --quick`): every bench runs a smaller version of itself
 * that still prints every table, in a few minutes. Explicit BENCH_* settings still win.
 */
export const QUICK = ['1', 'true', 'yes'].includes((process.env.BENCH_QUICK ?? '').toLowerCase());

/** The full-run default, or the quick one under BENCH_QUICK=1. */
export function quickOr<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}
