import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks (the queue agents work through) and the idempotency keys of their creation.
 *
 * Dependencies are a `uuid[]` column rather than a join table: a task's dependencies are fixed
 * when it is created and always read whole, so the aggregate stays one row; the claim checks them
 * with primary-key lookups (`d.id = ANY(t.dependencies)`), and the GIN index answers the reverse
 * question (which tasks depend on X: `dependencies @> ARRAY[X]`) for the cascade on failure.
 */
export class Tasks1764150400000 implements MigrationInterface {
  name = 'Tasks1764150400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tasks (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      description text,
      priority text NOT NULL,
      priority_rank smallint NOT NULL,
      required_capabilities text[] NOT NULL DEFAULT '{}',
      preferred_role text,
      agent_definition_id uuid,
      dependencies uuid[] NOT NULL DEFAULT '{}',
      input jsonb,
      output_schema jsonb,
      output jsonb,
      error jsonb,
      status text NOT NULL,
      assigned_agent_id uuid,
      excluded_agent_ids uuid[] NOT NULL DEFAULT '{}',
      attempt integer NOT NULL,
      max_attempts integer NOT NULL,
      user_id text,
      session_id text,
      goal_id text,
      workflow_execution_id uuid,
      step_execution_id uuid,
      started_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL,
      CONSTRAINT pk_tasks PRIMARY KEY (id))`);
    // Lists: newest first per tenant, optionally by status, agent or workflow execution.
    await q.query(`CREATE INDEX idx_tasks_tenant ON tasks (tenant_id, id)`);
    await q.query(`CREATE INDEX idx_tasks_tenant_status ON tasks (tenant_id, status, id)`);
    await q.query(`CREATE INDEX idx_tasks_tenant_agent ON tasks (tenant_id, assigned_agent_id)`);
    await q.query(`CREATE INDEX idx_tasks_workflow_execution ON tasks (tenant_id, workflow_execution_id)`);
    // Not entity-managed: the claim's order over pending tasks only, and the reverse dependency lookup.
    await q.query(`CREATE INDEX idx_tasks_claim ON tasks (priority_rank, created_at, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX idx_tasks_dependencies ON tasks USING gin (dependencies)`);

    await q.query(`CREATE TABLE task_idempotency_keys (
      tenant_id uuid NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      task_ids uuid[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_task_idempotency_keys PRIMARY KEY (tenant_id, key))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_idempotency_keys`);
    await q.query(`DROP TABLE tasks`);
  }
}
