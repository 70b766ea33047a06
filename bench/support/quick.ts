/**
 * `BENCH_QUICK=1` (set by `npm run bench -- --quick`): every bench runs a smaller version of itself
 * that still prints every table, in a few minutes. Explicit BENCH_* settings still win.
 */
import { envFlag } from './env';

export const QUICK = envFlag('BENCH_QUICK', false);

/** The full-run default, or the quick one under BENCH_QUICK=1. */
export function quickOr<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}
