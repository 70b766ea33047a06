import { FastHistogram } from './fast-histogram';

let histogram: FastHistogram<'repository' | 'method'> | undefined;

/** Set once by MetricsModule; until then (unit tests) timing is a no-op. */
export function setRepositoryHistogram(h: FastHistogram<'repository' | 'method'>): void {
  histogram = h;
}

/**
 * How many timed calls are running their synchronous part right now: a timed method called inside
 * another's (a private helper such as a read model's `one`, before the caller's first `await`) is
 * covered by the outer call's timing and is not timed again.
 */
let depth = 0;

/**
 * Class decorator for repository adapters: every method that returns a promise is timed in
 * `cognitionos_repository_operation_duration_seconds{repository, method}`. The promise returned is
 * the method's own: the timing hangs off it (no extra promise for the caller to wait on). A call
 * made synchronously inside another timed call is not timed (see `depth`): one observation and one
 * promise reaction per repository operation, not one per helper it goes through.
 */
export function TimedRepository(repository: string): ClassDecorator {
  return (target) => {
    const proto = (target as unknown as { prototype: Record<string, unknown> }).prototype;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = proto[method] as ((...a: unknown[]) => unknown) | undefined;
      if (method === 'constructor' || typeof original !== 'function') continue;
      proto[method] = function (this: unknown, ...args: unknown[]) {
        const timing = histogram;
        if (!timing || depth > 0) return original.apply(this, args);
        const start = performance.now();
        let result: unknown;
        depth++;
        try {
          result = original.apply(this, args);
        } finally {
          depth--;
        }
        // Synchronous helpers (query builders) pass through untimed, and get no series.
        if (result instanceof Promise) {
          const end = (): void => timing.observe(timing.series(repository, method), (performance.now() - start) / 1000);
          result.then(end, end);
        }
        return result;
      };
    }
  };
}
