import { Histogram } from 'prom-client';

let histogram: Histogram<'repository' | 'method'> | undefined;

/** Set once by MetricsModule; until then (unit tests) timing is a no-op. */
export function setRepositoryHistogram(h: Histogram<'repository' | 'method'>): void {
  histogram = h;
}

/**
 * Class decorator for repository adapters: every async method's duration is observed in
 * `cognitionos_repository_operation_duration_seconds{repository, method}`.
 */
export function TimedRepository(repository: string): ClassDecorator {
  return (target) => {
    const proto = (target as unknown as { prototype: Record<string, unknown> }).prototype;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = proto[method];
      if (method === 'constructor' || typeof original !== 'function') continue;
      proto[method] = async function (this: unknown, ...args: unknown[]) {
        const end = histogram?.startTimer({ repository, method });
        try {
          return await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
        } finally {
          end?.();
        }
      };
    }
  };
}
