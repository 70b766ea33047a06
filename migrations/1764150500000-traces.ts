import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trace spans, written from domain events: one row per (tenant, entity, span type). The tree is
 * `parent_id`; a trace's root is found by walking it (no stored root to keep in step). The
 * `status_event_*` pair is the delivery-order key (outbox transaction id, position) of the event
 * that set the status, so a re-delivered older event never moves a span back.
 */
export class Traces1764150500000 implements MigrationInterface {
  name = 'Traces1764150500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE trace_spans (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      type text NOT NULL,
      entity_id text NOT NULL,
      parent_id uuid,
      name text NOT NULL,
      status text NOT NULL,
      inputs jsonb,
      outputs jsonb,
      error jsonb,
      metadata jsonb NOT NULL DEFAULT '{}',
      started_at timestamptz,
      completed_at timestamptz,
      status_event_tx bigint,
      status_event_position bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_trace_spans PRIMARY KEY (id),
      CONSTRAINT uq_trace_spans_entity UNIQUE (tenant_id, entity_id, type))`);
    await q.query(`CREATE INDEX idx_trace_spans_parent ON trace_spans (tenant_id, parent_id)`);
    await q.query(`CREATE INDEX idx_trace_spans_type ON trace_spans (tenant_id, type, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trace_spans`);
  }
}
