import { MigrationInterface, QueryRunner } from 'typeorm';

/** Workflow definitions: one row per (tenant, workflow id, version). */
export class Workflows1764150100000 implements MigrationInterface {
  name = 'Workflows1764150100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE workflows (
      tenant_id uuid NOT NULL,
      workflow_id text NOT NULL,
      version text NOT NULL,
      version_major integer NOT NULL,
      version_minor integer NOT NULL,
      version_patch integer NOT NULL,
      name text NOT NULL,
      description text,
      status text NOT NULL,
      steps jsonb NOT NULL,
      schedule jsonb,
      tags text[] NOT NULL DEFAULT '{}',
      input_schema jsonb,
      outputs jsonb,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      row_version integer NOT NULL,
      CONSTRAINT pk_workflows PRIMARY KEY (tenant_id, workflow_id, version))`);
    await q.query(`CREATE INDEX idx_workflows_tenant_status ON workflows (tenant_id, status)`);
    // Not entity-managed: tag filter (GIN) and case-insensitive name search.
    await q.query(`CREATE INDEX idx_workflows_tags ON workflows USING gin (tags)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE workflows`);
  }
}
