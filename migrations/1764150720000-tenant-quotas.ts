import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fair claiming across tenants and a per-tenant cap on running steps (issue 16; docs/architecture.md,
 * "Fair claiming"; docs/operations.md, "Tenant quotas").
 *
 * - `tenant_quotas`: per-tenant overrides of TENANT_MAX_RUNNING_STEPS (no row = the instance
 *   default). A table of its own rather than a column on `tenants`, which has a TypeORM entity (the
 *   migration drift check) and other per-tenant settings of its own.
 * - The work queue is indexed per tenant: `(tenant_id, available_at)` over the same rows as the
 *   global `(available_at)` index it replaces (nothing else ordered the queue globally; the queue
 *   gauge scans either), so a claim finds the tenants with due steps (a loose index scan) and each
 *   one's oldest due steps, and the queue still costs one index entry per runnable row version.
 * - Running steps are indexed per tenant, to count them against the cap. The predicate adds
 *   `deps_remaining = 0` (always true of a running step) so that no statement that only says
 *   `status = 'running'` (completions by id, heartbeats, the reaper) can use this index: a partial
 *   index those statements qualify for tempts the planner into scanning its dead entries.
 * - `cognitionos_claim_steps(worker, limit, lease seconds, default cap)`: the claim, in one round
 *   trip (see step-claims.ts). Its statements run one after the other with a fresh snapshot each
 *   (a VOLATILE function in READ COMMITTED): pick the tenants; take a transaction advisory lock per
 *   tenant (in key order: claimers never deadlock), so that claims of one tenant are serialised and
 *   each counts the running steps of the ones before it; then count, share the batch out and claim.
 *   Its plans stay generic (plan_cache_mode): no re-planning of its statements on every call.
 */
export class TenantQuotas1764150720000 implements MigrationInterface {
  name = 'TenantQuotas1764150720000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenant_quotas (
      tenant_id uuid NOT NULL,
      max_running_steps integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_tenant_quotas PRIMARY KEY (tenant_id),
      CONSTRAINT ck_tenant_quotas_max_running_steps CHECK (max_running_steps >= 0),
      CONSTRAINT fk_tenant_quotas_tenant FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE)`);
    await q.query(`DROP INDEX idx_step_executions_runnable`);
    await q.query(`CREATE INDEX idx_step_executions_runnable_tenant ON step_executions (tenant_id, available_at) WHERE status IN ('pending', 'waiting') AND deps_remaining = 0`);
    await q.query(`CREATE INDEX idx_step_executions_running_tenant ON step_executions (tenant_id) WHERE status = 'running' AND deps_remaining = 0`);
    await q.query(CLAIM_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cognitionos_claim_steps(text, integer, double precision, integer)`);
    await q.query(`DROP INDEX idx_step_executions_running_tenant`);
    await q.query(`DROP INDEX idx_step_executions_runnable_tenant`);
    await q.query(`CREATE INDEX idx_step_executions_runnable ON step_executions (available_at) WHERE status IN ('pending', 'waiting') AND deps_remaining = 0`);
    await q.query(`DROP TABLE tenant_quotas`);
  }
}

/**
 * Fairness: the tenants with due steps are served least loaded first — fewest running steps for
 * their cap (running ÷ cap), then the one whose oldest due step waited longest — and a batch is
 * shared out round robin in that order: each place goes to the tenant whose (running + taken) ÷ cap
 * is lowest. A tenant with a deep backlog and many running steps thus goes after a tenant with
 * none, in every claim, whatever the batch size. The cap: a tenant at its cap gets nothing.
 */
export const CLAIM_FUNCTION = `
CREATE FUNCTION cognitionos_claim_steps(p_worker text, p_limit integer, p_lease double precision, p_cap integer)
RETURNS TABLE (id uuid, execution_id uuid, tenant_id uuid, step_id text, item_index integer, type text, attempt integer,
               wait_kind text, wait_key text, resume jsonb, available_at timestamptz, was text, turn bigint,
               workflow_id text, workflow_version text, inputs jsonb)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
DECLARE
  v_tenants uuid[];
  v_key integer;
  v_ids uuid[];
  v_was text[];
BEGIN
  IF p_limit IS NULL OR p_limit <= 0 THEN RETURN; END IF;

  -- 1. The tenants to serve: with a due step and room under their cap (this snapshot's counts),
  --    least loaded first, at most one per place in the batch.
  WITH RECURSIVE queued AS (
    (SELECT s.tenant_id FROM step_executions s
     WHERE s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 ORDER BY s.tenant_id LIMIT 1)
    UNION ALL
    SELECT (SELECT s.tenant_id FROM step_executions s
            WHERE s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 AND s.tenant_id > q.tenant_id
            ORDER BY s.tenant_id LIMIT 1)
    FROM queued q WHERE q.tenant_id IS NOT NULL
  ), due AS (
    SELECT q.tenant_id, o.oldest, COALESCE(t.max_running_steps, p_cap) AS cap
    FROM queued q
    CROSS JOIN LATERAL (
      SELECT s.available_at AS oldest FROM step_executions s
      WHERE s.tenant_id = q.tenant_id AND s.status IN ('pending', 'waiting') AND s.deps_remaining = 0
      ORDER BY s.available_at LIMIT 1) o
    LEFT JOIN tenant_quotas t ON t.tenant_id = q.tenant_id
    WHERE q.tenant_id IS NOT NULL AND o.oldest <= now()
  ), load AS (
    SELECT d.tenant_id, d.oldest, d.cap,
           (SELECT count(*) FROM (SELECT 1 FROM step_executions r
                                  WHERE r.tenant_id = d.tenant_id AND r.status = 'running' AND r.deps_remaining = 0
                                  LIMIT d.cap) c) AS running
    FROM due d
  )
  SELECT array_agg(l.tenant_id ORDER BY l.served) INTO v_tenants
  FROM (SELECT tenant_id, row_number() OVER (ORDER BY running::float8 / cap, oldest) AS served
        FROM load WHERE running < cap ORDER BY running::float8 / cap, oldest LIMIT p_limit) l;
  IF v_tenants IS NULL THEN RETURN; END IF;

  -- 2. One claimer at a time per tenant (waits for the one before to commit), keys in order.
  FOR v_key IN SELECT DISTINCT hashtext(x::text) FROM unnest(v_tenants) x ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(1131373139, v_key);
  END LOOP;

  -- 3. A fresh snapshot: every claim of these tenants committed before ours is counted. Picks and
  --    locks the steps, in their turn.
  WITH tenant AS (
    SELECT x.tenant_id, x.served, COALESCE(t.max_running_steps, p_cap) AS cap,
           (SELECT count(*) FROM (SELECT 1 FROM step_executions r
                                  WHERE r.tenant_id = x.tenant_id AND r.status = 'running' AND r.deps_remaining = 0
                                  LIMIT COALESCE(t.max_running_steps, p_cap)) c)::integer AS running
    FROM unnest(v_tenants) WITH ORDINALITY AS x(tenant_id, served)
    LEFT JOIN tenant_quotas t ON t.tenant_id = x.tenant_id
  ), place AS (
    -- each tenant's due steps that fit under its cap and in the batch, numbered k = 1, 2, …
    SELECT t.tenant_id, t.served, t.running, t.cap, k
    FROM tenant t
    CROSS JOIN LATERAL (
      SELECT count(*)::integer AS due FROM (
        SELECT 1 FROM step_executions s
        WHERE s.tenant_id = t.tenant_id AND s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 AND s.available_at <= now()
        LIMIT LEAST(t.cap - t.running, p_limit)) z) d
    CROSS JOIN LATERAL generate_series(1, d.due) AS k
    WHERE t.running < t.cap
  ), share AS (
    SELECT w.tenant_id, count(*)::integer AS n
    FROM (SELECT tenant_id FROM place ORDER BY (running + k)::float8 / cap, served LIMIT p_limit) w
    GROUP BY w.tenant_id
  ), picked AS (
    SELECT p.id, p.was, t.running, t.cap, t.served,
           row_number() OVER (PARTITION BY t.tenant_id ORDER BY p.available_at) AS k
    FROM share sh
    JOIN tenant t ON t.tenant_id = sh.tenant_id
    CROSS JOIN LATERAL (
      SELECT s.id, s.status AS was, s.available_at FROM step_executions s
      WHERE s.tenant_id = sh.tenant_id AND s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 AND s.available_at <= now()
      ORDER BY s.available_at
      LIMIT sh.n
      FOR UPDATE SKIP LOCKED) p
  )
  SELECT array_agg(id ORDER BY (running + k)::float8 / cap, served), array_agg(was ORDER BY (running + k)::float8 / cap, served)
  INTO v_ids, v_was
  FROM picked;
  IF v_ids IS NULL THEN RETURN; END IF;

  -- 4. Claims them. ("s.id = ANY" steers the update to the primary key: the planner cannot tell
  --    how many rows the statement above picked. The executions are joined here, not by the
  --    caller, whose snapshot may predate executions this one sees.)
  RETURN QUERY
  WITH claimed AS (
    UPDATE step_executions s
    SET status = 'running',
        attempt = CASE WHEN p.was = 'waiting' THEN s.attempt ELSE s.attempt + 1 END,
        lease_owner = p_worker,
        lease_expires_at = now() + make_interval(secs => p_lease),
        started_at = CASE WHEN p.was = 'waiting' THEN s.started_at ELSE now() END,
        updated_at = now()
    FROM unnest(v_ids, v_was) WITH ORDINALITY AS p(id, was, turn)
    WHERE s.id = ANY(v_ids) AND s.id = p.id
    RETURNING s.id, s.execution_id, s.tenant_id, s.step_id, s.item_index, s.type, s.attempt, s.wait_kind, s.wait_key,
              s.resume, s.available_at, p.was, p.turn
  ), started AS (
    INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
    SELECT cognitionos_uuid_v7(), c.tenant_id, 'StepExecutionStarted', 'WorkflowExecution', c.execution_id::text,
           jsonb_build_object('executionId', c.execution_id, 'stepExecutionId', c.id, 'stepId', c.step_id,
                              'itemIndex', c.item_index, 'type', c.type, 'attempt', c.attempt, 'workerId', p_worker),
           now()
    FROM claimed c WHERE c.was = 'pending'
  )
  -- An execution's inputs come once per batch (on its first row): the items of a forEach share one
  -- execution, and its inputs may be large; claimSteps gives them to the other rows.
  SELECT c.id, c.execution_id, c.tenant_id, c.step_id, c.item_index, c.type, c.attempt, c.wait_kind, c.wait_key, c.resume,
         c.available_at, c.was, c.turn, e.workflow_id, e.workflow_version,
         CASE WHEN row_number() OVER (PARTITION BY c.execution_id ORDER BY c.turn) = 1 THEN e.inputs END
  FROM claimed c JOIN workflow_executions e ON e.id = c.execution_id
  ORDER BY c.turn;
END
$fn$`;
