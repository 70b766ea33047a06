import { MigrationInterface, QueryRunner } from 'typeorm';

/** The engine: executions, step executions (the work queue), signals, schedule ticks, concurrency slots. */
export class Engine1764150200000 implements MigrationInterface {
  name = 'Engine1764150200000';

  async up(q: QueryRunner): Promise<void> {
    // UUIDv7 in SQL, for rows made inside statements (PostgreSQL 15 has no built-in v7).
    await q.query(`CREATE FUNCTION cognitionos_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
      SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
        substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
    $$`);
    await q.query(`CREATE TABLE workflow_executions (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      workflow_id text NOT NULL,
      workflow_version text NOT NULL,
      status text NOT NULL,
      inputs jsonb NOT NULL DEFAULT '{}',
      outputs jsonb,
      error jsonb,
      parent_execution_id uuid,
      parent_step_execution_id uuid,
      idempotency_key text,
      request_hash text,
      triggered_by text NOT NULL,
      remaining_steps integer NOT NULL,
      started_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_workflow_executions PRIMARY KEY (id))`);
    await q.query(`CREATE INDEX idx_executions_tenant ON workflow_executions (tenant_id, id)`);
    await q.query(`CREATE INDEX idx_executions_workflow ON workflow_executions (tenant_id, workflow_id, id)`);
    await q.query(`CREATE INDEX idx_executions_parent ON workflow_executions (parent_execution_id) WHERE parent_execution_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_executions_idempotency ON workflow_executions (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);

    await q.query(`CREATE TABLE step_executions (
      id uuid NOT NULL,
      execution_id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      step_id text NOT NULL,
      item_index integer,
      type text NOT NULL,
      status text NOT NULL,
      attempt integer NOT NULL DEFAULT 0,
      deps_remaining integer NOT NULL DEFAULT 0,
      children_remaining integer,
      output jsonb,
      error jsonb,
      skip_reason text,
      wait_kind text,
      wait_key text,
      resume jsonb,
      concurrency_key text,
      agent_id uuid,
      task_id uuid,
      available_at timestamptz NOT NULL DEFAULT now(),
      lease_owner text,
      lease_expires_at timestamptz,
      started_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_step_executions PRIMARY KEY (id),
      CONSTRAINT fk_step_executions_execution FOREIGN KEY (execution_id) REFERENCES workflow_executions(id) ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX uq_step_executions_item ON step_executions (execution_id, step_id, COALESCE(item_index, -1))`);
    // The work queue: what a worker may claim (due pending steps, and waiting steps whose timer or wake-up came).
    await q.query(`CREATE INDEX idx_step_executions_runnable ON step_executions (available_at) WHERE status IN ('pending', 'waiting') AND deps_remaining = 0`);
    // Not partial: a partial index on running rows would tempt the planner into scanning every
    // (mostly dead) entry of it when completing steps by id. NULL once a step stops running.
    await q.query(`CREATE INDEX idx_step_executions_lease ON step_executions (lease_expires_at)`);
    await q.query(`CREATE INDEX idx_step_executions_child_wait ON step_executions (wait_key) WHERE status = 'waiting' AND wait_kind = 'child'`);
    await q.query(`CREATE INDEX idx_step_executions_concurrency ON step_executions (tenant_id, concurrency_key) WHERE concurrency_key IS NOT NULL AND status = 'pending'`);

    await q.query(`CREATE TABLE execution_signals (
      id uuid NOT NULL,
      execution_id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      payload jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      consumed_at timestamptz,
      CONSTRAINT pk_execution_signals PRIMARY KEY (id),
      CONSTRAINT fk_execution_signals_execution FOREIGN KEY (execution_id) REFERENCES workflow_executions(id) ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX idx_execution_signals_open ON execution_signals (execution_id, name, created_at) WHERE consumed_at IS NULL`);

    await q.query(`CREATE TABLE schedule_ticks (
      tenant_id uuid NOT NULL,
      workflow_id text NOT NULL,
      tick_at timestamptz NOT NULL,
      workflow_version text NOT NULL,
      execution_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_schedule_ticks PRIMARY KEY (tenant_id, workflow_id, tick_at))`);

    await q.query(`CREATE TABLE concurrency_slots (
      tenant_id uuid NOT NULL,
      key text NOT NULL,
      step_execution_id uuid NOT NULL,
      acquired_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_concurrency_slots PRIMARY KEY (tenant_id, key))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE concurrency_slots`);
    await q.query(`DROP TABLE schedule_ticks`);
    await q.query(`DROP TABLE execution_signals`);
    await q.query(`DROP TABLE step_executions`);
    await q.query(`DROP TABLE workflow_executions`);
    await q.query(`DROP FUNCTION cognitionos_uuid_v7()`);
  }
}
