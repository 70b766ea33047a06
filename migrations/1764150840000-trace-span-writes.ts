import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cognitionos_apply_span_writes(jsonb)`: the trace projection's span upserts, a run of them in one
 * statement. Until now each span write was its own statement and commit: about 7 ms a write on a
 * loaded 2-core machine, so the projection fell behind the engine (issue 13's retention soak: ~100
 * events/s against ~700/s written), and a lagging checkpoint holds event retention back.
 *
 * The argument is a JSON array of writes, applied in order, with the merge rules of SpanWrite
 * (src/modules/trace/domain/span-write.ts), exactly those of the statement it replaces:
 * - the parent is created as a `pending` placeholder when missing;
 * - `status`, `outputs`, `error`, `completed_at` only from an event not older, in the relay's
 *   delivery order `(outbox tx_id, position)`, than the one that set the current status;
 * - `metadata` merged key by key, the newer event's keys winning; `started_at` the earliest;
 *   `parent_id` and `inputs` filled in, never cleared.
 * Keys: id, tenantId, type, entityId, name, status, inputs, outputs, error, metadata, startedAt,
 * completedAt, position, parentId, parentType, parentEntityId. An absent key is SQL NULL (for
 * inputs/outputs/error: keep what is there); a JSON null is stored as JSON null.
 *
 * Every statement in it is an index lookup; `enable_seqscan = off` keeps the plans PL/pgSQL caches
 * per connection from being sequential scans made while the table was small.
 */
export class TraceSpanWrites1764150840000 implements MigrationInterface {
  name = 'TraceSpanWrites1764150840000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
CREATE FUNCTION cognitionos_apply_span_writes(writes jsonb) RETURNS void
LANGUAGE plpgsql
SET enable_seqscan = off
AS $fn$
DECLARE
  w jsonb;
  p_tenant uuid;
  p_status text;
  p_position bigint;
  p_parent_type text;
  p_parent_entity text;
  v_tx bigint;
  v_parent uuid;
BEGIN
  FOR w IN SELECT value FROM jsonb_array_elements(writes) LOOP
    p_tenant := (w->>'tenantId')::uuid;
    p_status := w->>'status';
    p_position := (w->>'position')::bigint;
    p_parent_type := w->>'parentType';
    p_parent_entity := w->>'parentEntityId';
    v_tx := NULL;
    IF p_position IS NOT NULL THEN
      SELECT d.tx_id::text::bigint INTO v_tx FROM domain_events d WHERE d.position = p_position;
    END IF;
    v_parent := NULL;
    IF p_parent_type IS NOT NULL THEN
      INSERT INTO trace_spans (id, tenant_id, type, entity_id, name, status)
      VALUES ((w->>'parentId')::uuid, p_tenant, p_parent_type, p_parent_entity, p_parent_entity, 'pending')
      ON CONFLICT (tenant_id, entity_id, type) DO NOTHING
      RETURNING id INTO v_parent;
      IF v_parent IS NULL THEN
        SELECT t.id INTO v_parent FROM trace_spans t WHERE t.tenant_id = p_tenant AND t.entity_id = p_parent_entity AND t.type = p_parent_type;
      END IF;
    END IF;

    INSERT INTO trace_spans AS s (id, tenant_id, type, entity_id, parent_id, name, status, inputs, outputs, error, metadata,
      started_at, completed_at, status_event_tx, status_event_position)
    VALUES ((w->>'id')::uuid, p_tenant, w->>'type', w->>'entityId', v_parent, w->>'name', COALESCE(p_status, 'pending'),
      w->'inputs', w->'outputs', w->'error', COALESCE(w->'metadata', '{}'::jsonb),
      (w->>'startedAt')::timestamptz, (w->>'completedAt')::timestamptz,
      CASE WHEN p_status IS NOT NULL THEN v_tx END, CASE WHEN p_status IS NOT NULL AND v_tx IS NOT NULL THEN p_position END)
    ON CONFLICT (tenant_id, entity_id, type) DO UPDATE SET
      parent_id = COALESCE(s.parent_id, EXCLUDED.parent_id),
      name = EXCLUDED.name,
      inputs = COALESCE(EXCLUDED.inputs, s.inputs),
      started_at = LEAST(s.started_at, EXCLUDED.started_at),
      metadata = CASE WHEN (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN s.metadata || EXCLUDED.metadata ELSE EXCLUDED.metadata || s.metadata END,
      status = CASE WHEN p_status IS NOT NULL AND (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN EXCLUDED.status ELSE s.status END,
      outputs = CASE WHEN p_status IS NOT NULL AND (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN EXCLUDED.outputs ELSE s.outputs END,
      error = CASE WHEN p_status IS NOT NULL AND (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN EXCLUDED.error ELSE s.error END,
      completed_at = CASE WHEN p_status IS NOT NULL AND (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN EXCLUDED.completed_at ELSE s.completed_at END,
      status_event_position = CASE WHEN p_status IS NOT NULL AND (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN COALESCE(EXCLUDED.status_event_position, s.status_event_position) ELSE s.status_event_position END,
      status_event_tx = CASE WHEN p_status IS NOT NULL AND (s.status_event_tx IS NULL OR v_tx IS NULL OR (v_tx, p_position) >= (s.status_event_tx, s.status_event_position))
        THEN COALESCE(EXCLUDED.status_event_tx, s.status_event_tx) ELSE s.status_event_tx END,
      updated_at = now();
  END LOOP;
END
$fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cognitionos_apply_span_writes(jsonb)`);
  }
}
