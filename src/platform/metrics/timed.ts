import { Histogram } from 'prom-client';

let histogram: Histogram<'repository' | 'method'> | undefined;

/** Set once by MetricsModule; until then (unit tests) timing is a no-op. */
export function setRepositoryHistogram(h: Histogram<'repository' | 'method'>): void {
  histogram = h;
}

/**
 * Class decorator for repository adapters: every method that returns a promise is timed in
 * `cognitionos_repository_operation_duration_seconds{repository, method}`.
 */
export function TimedRepository(repository: string): ClassDecorator {
  return (target) => {
    const proto = (target as unknown as { prototype: Record<string, unknown> }).prototype;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = proto[method];
      if (method === 'constructor' || typeof original !== 'function') continue;
      proto[method] = function (this: unknown, ...args: unknown[]) {
        const end = histogram?.startTimer({ repository, method });
        const result = (original as (...a: unknown[]) => unknown).apply(this, args);
        // Synchronous helpers (query builders) pass through untimed.
        if (!end || !(result instanceof Promise)) return result;
        return result.finally(() => end());
      };
    }
  };
}
