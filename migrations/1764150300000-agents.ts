import { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents: definitions, instances (config, limits and usage as columns) and the usage ledger. */
export class Agents1764150300000 implements MigrationInterface {
  name = 'Agents1764150300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE agent_definitions (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      version text NOT NULL,
      role text NOT NULL,
      description text,
      capabilities text[] NOT NULL DEFAULT '{}',
      tools text[] NOT NULL DEFAULT '{}',
      model_config jsonb NOT NULL,
      default_budget jsonb NOT NULL,
      permissions text[] NOT NULL DEFAULT '{}',
      system_prompt_template text NOT NULL,
      failure_strategy text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      row_version integer NOT NULL,
      CONSTRAINT pk_agent_definitions PRIMARY KEY (id))`);
    await q.query(`CREATE INDEX idx_agent_definitions_tenant ON agent_definitions (tenant_id, id)`);
    // Not entity-managed: unique among definitions that are not deleted.
    await q.query(`CREATE UNIQUE INDEX uq_agent_definitions_name_version ON agent_definitions (tenant_id, name, version) WHERE deleted_at IS NULL`);

    await q.query(`CREATE TABLE agents (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      definition_id uuid NOT NULL,
      name text NOT NULL,
      role text NOT NULL,
      capabilities text[] NOT NULL DEFAULT '{}',
      tools text[] NOT NULL DEFAULT '{}',
      model_config jsonb NOT NULL,
      system_prompt_template text NOT NULL,
      failure_strategy text NOT NULL,
      max_tokens bigint NOT NULL,
      max_cost_usd numeric(14,6) NOT NULL,
      max_time_seconds numeric(12,3) NOT NULL,
      max_tool_executions integer NOT NULL,
      tokens_used bigint NOT NULL DEFAULT 0,
      cost_usd numeric(14,6) NOT NULL DEFAULT 0,
      time_seconds numeric(12,3) NOT NULL DEFAULT 0,
      tool_executions integer NOT NULL DEFAULT 0,
      budget_warned_at timestamptz,
      granted_permissions text[] NOT NULL DEFAULT '{}',
      status text NOT NULL,
      current_task_id uuid,
      last_active_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      row_version integer NOT NULL,
      CONSTRAINT pk_agents PRIMARY KEY (id),
      CONSTRAINT fk_agents_definition FOREIGN KEY (definition_id) REFERENCES agent_definitions(id))`);
    await q.query(`CREATE INDEX idx_agents_tenant_status ON agents (tenant_id, status)`);
    await q.query(`CREATE INDEX idx_agents_definition_status ON agents (definition_id, status)`);

    await q.query(`CREATE TABLE agent_usage_ledger (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      agent_id uuid NOT NULL,
      task_id uuid,
      run_id uuid,
      kind text NOT NULL,
      name text NOT NULL,
      provider text,
      tokens_in integer NOT NULL,
      tokens_out integer NOT NULL,
      cost_usd numeric(14,6) NOT NULL,
      duration_ms integer NOT NULL,
      status text NOT NULL,
      error jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_agent_usage_ledger PRIMARY KEY (id),
      CONSTRAINT fk_agent_usage_ledger_agent FOREIGN KEY (agent_id) REFERENCES agents(id))`);
    await q.query(`CREATE INDEX idx_agent_usage_ledger_agent_created ON agent_usage_ledger (agent_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_usage_ledger`);
    await q.query(`DROP TABLE agents`);
    await q.query(`DROP TABLE agent_definitions`);
  }
}
