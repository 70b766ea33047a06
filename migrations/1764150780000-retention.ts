import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/operations.md, "Retention"): the indexes its jobs walk, oldest first, and the daily
 * rollups of the usage ledger.
 *
 * - Finished executions by `completed_at` (partial: running ones are not in it). Only the update that
 *   ends an execution changes `status` or `completed_at`, so the engine's per-step updates of
 *   `remaining_steps` stay HOT.
 * - Ledger entries and idempotency keys by `created_at` (written once, never updated).
 * - Domain events need none: the walk uses `(tx_id, position)`; trace spans neither: their UUIDv7 ids
 *   follow creation time.
 *
 * On a large existing database the index builds block writes to those tables while they run (a
 * migration runs in a transaction, where CREATE INDEX CONCURRENTLY is not allowed); build them
 * CONCURRENTLY by hand first, with the same names, if that matters: IF NOT EXISTS skips them here.
 */
export class Retention1764150780000 implements MigrationInterface {
  name = 'Retention1764150780000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS idx_executions_finished ON workflow_executions (completed_at, id) WHERE status IN ('completed', 'failed', 'cancelled')`);
    await q.query(`CREATE INDEX IF NOT EXISTS idx_agent_usage_ledger_created ON agent_usage_ledger (created_at)`);
    await q.query(`CREATE INDEX IF NOT EXISTS idx_task_idempotency_keys_created ON task_idempotency_keys (created_at)`);
    await q.query(`CREATE INDEX IF NOT EXISTS idx_memory_idempotency_keys_created ON memory_idempotency_keys (created_at)`);

    await q.query(`CREATE TABLE agent_usage_daily (
      tenant_id uuid NOT NULL,
      agent_id uuid NOT NULL,
      day date NOT NULL,
      kind text NOT NULL,
      name text NOT NULL,
      provider text NOT NULL DEFAULT '',
      status text NOT NULL,
      calls bigint NOT NULL,
      tokens_in bigint NOT NULL,
      tokens_out bigint NOT NULL,
      cost_usd numeric(20,6) NOT NULL,
      duration_ms bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_agent_usage_daily PRIMARY KEY (agent_id, day, kind, name, provider, status),
      CONSTRAINT fk_agent_usage_daily_agent FOREIGN KEY (agent_id) REFERENCES agents(id))`);
    await q.query(`COMMENT ON TABLE agent_usage_daily IS 'Usage-ledger entries older than USAGE_LEDGER_ROLLUP_DAYS, summed per agent, UTC day, kind, model or tool, provider and status'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_usage_daily`);
    await q.query(`DROP INDEX IF EXISTS idx_memory_idempotency_keys_created`);
    await q.query(`DROP INDEX IF EXISTS idx_task_idempotency_keys_created`);
    await q.query(`DROP INDEX IF EXISTS idx_agent_usage_ledger_created`);
    await q.query(`DROP INDEX IF EXISTS idx_executions_finished`);
  }
}
