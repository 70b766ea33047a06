import type { DomainEvent, DomainEventClass } from '@cognition/platform/domain';
import type { SpanRef, SpanWrite } from '../span-write';

/** How one event class becomes span writes. */
export interface SpanProjector<E extends DomainEvent<any> = DomainEvent<any>> {
  event: DomainEventClass<E>;
  project(event: E): SpanWrite[];
}

export function on<E extends DomainEvent<any>>(event: DomainEventClass<E>, project: (event: E) => SpanWrite | SpanWrite[] | null): SpanProjector<E> {
  return {
    event,
    project: (e) => {
      const out = project(e);
      return out === null ? [] : Array.isArray(out) ? out : [out];
    },
  };
}

/** The fields every write takes from its event: tenant and order key. */
export function fromEvent(event: DomainEvent<any>): Pick<SpanWrite, 'tenantId' | 'at' | 'position'> {
  return { tenantId: event.tenantId, at: event.occurredAt, position: event.metadata?.position ?? null };
}

export const ref = (type: SpanRef['type'], entityId: string): SpanRef => ({ type, entityId });

/** A time from a payload, or `fallback` when it is missing or not a date. */
export function dateOr(value: unknown, fallback: Date): Date {
  if (typeof value !== 'string' && !(value instanceof Date)) return fallback;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? fallback : date;
}

/** `at` moved back by a non-negative duration, when the duration is a number. */
export function before(at: Date, durationMs: unknown): Date | undefined {
  return typeof durationMs === 'number' && Number.isFinite(durationMs) && durationMs >= 0 ? new Date(at.getTime() - durationMs) : undefined;
}

/** Drops undefined values, so they do not overwrite metadata keys in the merge. */
export function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
