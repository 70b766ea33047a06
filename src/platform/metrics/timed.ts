import { FastHistogram } from './fast-histogram';

let histogram: FastHistogram<'repository' | 'method'> | undefined;

/** Set once by MetricsModule; until then (unit tests) timing is a no-op. */
export function setRepositoryHistogram(h: FastHistogram<'repository' | 'method'>): void {
  histogram = h;
}

/**
 * Class decorator for repository adapters: every method that returns a promise is timed in
 * `cognitionos_repository_operation_duration_seconds{repository, method}`. The promise returned is
 * the method's own: the timing hangs off it (no extra promise for the caller to wait on).
 */
export function TimedRepository(repository: string): ClassDecorator {
  return (target) => {
    const proto = (target as unknown as { prototype: Record<string, unknown> }).prototype;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = proto[method];
      if (method === 'constructor' || typeof original !== 'function') continue;
      proto[method] = function (this: unknown, ...args: unknown[]) {
        const end = histogram?.startTimer(histogram.series(repository, method));
        const result = (original as (...a: unknown[]) => unknown).apply(this, args);
        // Synchronous helpers (query builders) pass through untimed.
        if (!end || !(result instanceof Promise)) return result;
        result.then(end, end);
        return result;
      };
    }
  };
}
