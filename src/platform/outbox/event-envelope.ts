import type { DomainEvent } from '@cognition/platform/domain';
import type { StoredEventRow } from './event-type.registry';

/**
 * The event envelope of SPEC §7: what GET /events lists, the SSE stream of an execution sends as
 * `data:` (plus `executionId`), and what leaves the process. One mapper for every consumer.
 */
export interface EventEnvelope {
  id: string;
  /** The outbox position, a bigint as a decimal string. */
  position: string;
  tenantId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  /** ISO-8601 UTC. */
  occurredAt: string;
  correlationId: string | null;
}

export type EnvelopeRow = Pick<StoredEventRow, 'id' | 'position' | 'tenant_id' | 'type' | 'aggregate_type' | 'aggregate_id' | 'payload' | 'occurred_at' | 'correlation_id'>;

/** The envelope of a `domain_events` row. */
export function envelopeOfRow(row: EnvelopeRow): EventEnvelope {
  return {
    id: row.id,
    position: String(row.position),
    tenantId: row.tenant_id,
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    occurredAt: new Date(row.occurred_at).toISOString(),
    correlationId: row.correlation_id,
  };
}

/** The envelope of an event the relay published (its `metadata` says where it sits in the outbox). */
export function envelopeOfEvent(event: DomainEvent<object>): EventEnvelope {
  const m = event.metadata;
  if (!m) throw new Error(`${event.type} has no outbox metadata: only events read back from the outbox have an envelope`);
  return envelopeOfRow({
    id: m.id,
    position: m.position,
    tenant_id: event.tenantId,
    type: event.type,
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    payload: event.payload as Record<string, unknown>,
    occurred_at: event.occurredAt,
    correlation_id: m.correlationId,
  });
}
