import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One index of running steps instead of two (issue 16, bench:engine). A step's row is updated three
 * times on its way through the engine (unlocked, claimed, finished), each time with a change to a
 * column an index depends on, so each update writes a new entry into every index whose predicate
 * the new version meets. `idx_step_executions_lease (lease_expires_at)` covered every row, finished
 * ones included (their lease is NULL), and `idx_step_executions_running_tenant (tenant_id)` covered
 * running steps again: a no-op step cost ten index entries. Both served running steps only — the
 * reaper looks for expired leases among them, the claim counts a tenant's — so one partial index
 * `(tenant_id, lease_expires_at)` over running steps does both: eight entries per step.
 *
 * The predicate keeps `deps_remaining = 0` (always true of a running step), as the index it replaces
 * did, so that statements saying only `status = 'running'` (completions and heartbeats by id) are
 * not tempted to scan it; the reaper says `deps_remaining = 0` to use it (step-claims.ts).
 *
 * And the claim function never scans `step_executions` whole (`enable_seqscan = off` for its
 * statements). Its plans are generic, made once per connection at its first call
 * (1764150720000-tenant-quotas): a first call on a small table — a new install, a test — planned its
 * final `UPDATE … WHERE s.id = ANY(v_ids)` as a sequential scan, kept for the connection's life
 * while the table grew, every claim then reading every row (until an ANALYZE invalidated the plan;
 * never, without autovacuum). Every statement of the function has an index to use.
 */
export class RunningStepsIndex1764150750000 implements MigrationInterface {
  name = 'RunningStepsIndex1764150750000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_step_executions_running ON step_executions (tenant_id, lease_expires_at) WHERE status = 'running' AND deps_remaining = 0`);
    await q.query(`DROP INDEX idx_step_executions_running_tenant`);
    await q.query(`DROP INDEX idx_step_executions_lease`);
    await q.query(`ALTER FUNCTION cognitionos_claim_steps(text, integer, double precision, integer, uuid[]) SET enable_seqscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION cognitionos_claim_steps(text, integer, double precision, integer, uuid[]) RESET enable_seqscan`);
    await q.query(`CREATE INDEX idx_step_executions_lease ON step_executions (lease_expires_at)`);
    await q.query(`CREATE INDEX idx_step_executions_running_tenant ON step_executions (tenant_id) WHERE status = 'running' AND deps_remaining = 0`);
    await q.query(`DROP INDEX idx_step_executions_running`);
  }
}
