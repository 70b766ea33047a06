import { StoredEventRow } from './event-type.registry';

/**
 * The event envelope of SPEC §1/§7: what the SSE stream sends as `data:`, what the event store
 * lists and what the brokers carry as the message body, built in one place.
 */
export interface EventEnvelope {
  id: string;
  /** Position in the outbox (a bigint, as a decimal string). */
  position: string;
  tenantId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  /** ISO 8601. */
  occurredAt: string;
  correlationId: string | null;
}

export interface EventEnvelopeFields {
  id: string;
  position: string | number | bigint;
  tenantId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: Date | string;
  correlationId: string | null;
}

export function eventEnvelope(e: EventEnvelopeFields): EventEnvelope {
  return {
    id: e.id,
    position: String(e.position),
    tenantId: e.tenantId,
    type: e.type,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    payload: e.payload,
    occurredAt: new Date(e.occurredAt).toISOString(),
    correlationId: e.correlationId ?? null,
  };
}

/** The envelope of a `domain_events` row as the relays read it. */
export function envelopeOfRow(row: StoredEventRow): EventEnvelope {
  return eventEnvelope({
    id: row.id,
    position: row.position,
    tenantId: row.tenant_id,
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
  });
}
