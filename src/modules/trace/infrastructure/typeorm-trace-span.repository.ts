import { Injectable } from '@nestjs/common';
import { stableV7, timeOfV7 } from '@cognition/platform/ids/uuid';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { FINAL_SPAN_STATUSES, SpanWrite } from '../domain/span-write';
import { TraceSpanRepository } from '../domain/trace-span.repository.port';

/**
 * Is this event not older than the one that set the span's status? Older means earlier in the
 * relay's delivery order, (outbox transaction id, position) — clocks play no part. An event with
 * no outbox row (a direct call) cannot be placed, and is applied.
 */
const NOT_OLDER = `(s.status_event_tx IS NULL OR (SELECT tx FROM ev) IS NULL
  OR ((SELECT tx FROM ev), $13::bigint) >= (s.status_event_tx, s.status_event_position))`;
const APPLIES = `($6::text IS NOT NULL AND ${NOT_OLDER})`;

/**
 * One statement per write: the event's place in the outbox, the parent as a `pending`
 * placeholder if it does not exist yet, then the span's upsert by (tenant, entity, type)
 * following SpanWrite's merge rules.
 */
const UPSERT = `
WITH ev AS (
  SELECT tx_id::text::bigint AS tx FROM domain_events WHERE position = $13::bigint
), placeholder AS (
  INSERT INTO trace_spans (id, tenant_id, type, entity_id, name, status)
  SELECT $14::uuid, $2::uuid, $15::text, $16::text, $16::text, 'pending' WHERE $15::text IS NOT NULL
  ON CONFLICT (tenant_id, entity_id, type) DO NOTHING
  RETURNING id
), parent AS (
  SELECT id FROM placeholder
  UNION ALL
  SELECT id FROM trace_spans WHERE $15::text IS NOT NULL AND tenant_id = $2::uuid AND entity_id = $16::text AND type = $15::text
)
INSERT INTO trace_spans AS s (id, tenant_id, type, entity_id, parent_id, name, status, inputs, outputs, error, metadata,
  started_at, completed_at, status_event_tx, status_event_position)
VALUES ($1::uuid, $2::uuid, $3::text, $4::text, (SELECT id FROM parent LIMIT 1), $5::text, COALESCE($6::text, 'pending'),
  $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11::timestamptz, $12::timestamptz,
  CASE WHEN $6::text IS NOT NULL THEN (SELECT tx FROM ev) END, CASE WHEN $6::text IS NOT NULL AND (SELECT tx FROM ev) IS NOT NULL THEN $13::bigint END)
ON CONFLICT (tenant_id, entity_id, type) DO UPDATE SET
  parent_id = COALESCE(s.parent_id, EXCLUDED.parent_id),
  name = EXCLUDED.name,
  inputs = COALESCE(EXCLUDED.inputs, s.inputs),
  started_at = LEAST(s.started_at, EXCLUDED.started_at),
  metadata = CASE WHEN ${NOT_OLDER} THEN s.metadata || EXCLUDED.metadata ELSE EXCLUDED.metadata || s.metadata END,
  status = CASE WHEN ${APPLIES} THEN EXCLUDED.status ELSE s.status END,
  outputs = CASE WHEN ${APPLIES} THEN EXCLUDED.outputs ELSE s.outputs END,
  error = CASE WHEN ${APPLIES} THEN EXCLUDED.error ELSE s.error END,
  completed_at = CASE WHEN ${APPLIES} THEN EXCLUDED.completed_at ELSE s.completed_at END,
  status_event_position = CASE WHEN ${APPLIES} THEN COALESCE(EXCLUDED.status_event_position, s.status_event_position) ELSE s.status_event_position END,
  status_event_tx = CASE WHEN ${APPLIES} THEN COALESCE(EXCLUDED.status_event_tx, s.status_event_tx) ELSE s.status_event_tx END,
  updated_at = now()`;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/**
 * A span's id is a function of what it traces, (tenant, type, entity): rebuilding the projection
 * from the events (a replay) gives every span, and every parent link, the id it had. It is a
 * UUIDv7 with the time of the traced entity's own UUIDv7 id (execution, step, task, run and call ids
 * are UUIDv7s), so spans still sort by age; an entity id that is not one takes the event's time.
 */
export function spanIdOf(tenantId: string, type: string, entityId: string, at: Date): string {
  return stableV7(`trace-span:${tenantId}:${type}:${entityId}`, timeOfV7(entityId) ?? at.getTime());
}

/** Spans in PostgreSQL, upserted in the caller's transaction when there is one. */
@Injectable()
@TimedRepository('trace-span')
export class TypeOrmTraceSpanRepository extends TraceSpanRepository {
  constructor(private readonly txHost: TransactionHost) {
    super();
  }

  async apply(w: SpanWrite): Promise<void> {
    const final = w.status !== undefined && FINAL_SPAN_STATUSES.has(w.status);
    await (this.txHost as unknown as Tx).tx.query(UPSERT, [
      spanIdOf(w.tenantId, w.type, w.entityId, w.at),
      w.tenantId,
      w.type,
      w.entityId,
      w.name,
      w.status ?? null,
      json(w.inputs),
      w.status ? json(w.outputs) : null,
      w.status ? json(w.error) : null,
      JSON.stringify(w.metadata ?? {}),
      w.startedAt ?? null,
      final ? (w.completedAt ?? w.at) : null,
      w.position !== null && /^\d{1,19}$/.test(w.position) ? w.position : null,
      w.parent ? spanIdOf(w.tenantId, w.parent.type, w.parent.entityId, w.at) : null,
      w.parent?.type ?? null,
      w.parent?.entityId ?? null,
    ]);
  }
}
