import { MigrationInterface, QueryRunner } from 'typeorm';
import { CLAIM_FUNCTION as FAIR_CLAIM_FUNCTION } from './1764150720000-tenant-quotas';

/**
 * The claim's fast path for one tenant (issue 16, bench:engine): when a single tenant has runnable
 * steps (any single-tenant deployment, and most claims of a busy one) there is no order to decide
 * and no batch to share out, so the claim takes the tenant's lock, counts its running steps once,
 * under the lock, and picks its oldest due steps up to its cap, instead of counting twice and
 * computing the round-robin share. Several tenants: as before (1764150720000-tenant-quotas).
 *
 * Counting a tenant's running steps walks the index of running steps, whose entries of finished
 * steps stay until vacuum: on every claim it cost a drain of 10-step chains a fifth of its speed.
 * `tenant_claim_bounds` keeps, per tenant, an upper bound instead (the last count plus what was
 * claimed since; finished steps are not taken off, hand-offs keep the count as it was): a claim
 * counts again only when the bound leaves no room for its batch, and a claim of several tenants
 * drops their bounds. The cap holds as before; the bound only saves the walk.
 *
 * The tenants are found newest end first: the oldest entries of a tenant's queue are the steps
 * claimed last, whose index entries stay until vacuum; an ascending probe walked all of them on
 * every claim (a drain or a forEach slowed down as it went).
 *
 * And `p_known`: the executions whose inputs the worker already holds (its cache of recent ones) get
 * no inputs in the answer. The items of a forEach over a large input list share one execution, and
 * sending its inputs with every claim made a forEach quadratic in its number of items.
 */
export class ClaimFastPath1764150740000 implements MigrationInterface {
  name = 'ClaimFastPath1764150740000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenant_claim_bounds (
      tenant_id uuid NOT NULL,
      running_bound integer NOT NULL,
      CONSTRAINT pk_tenant_claim_bounds PRIMARY KEY (tenant_id))`);
    await q.query(`COMMENT ON TABLE tenant_claim_bounds IS 'Per tenant, an upper bound of its running steps kept by the claim (its last count plus what it claimed since), so that most claims need not count them'`);
    await q.query(`DROP FUNCTION cognitionos_claim_steps(text, integer, double precision, integer)`);
    await q.query(CLAIM_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cognitionos_claim_steps(text, integer, double precision, integer, uuid[])`);
    await q.query(FAIR_CLAIM_FUNCTION);
    await q.query(`DROP TABLE tenant_claim_bounds`);
  }
}

export const CLAIM_FUNCTION = `
CREATE FUNCTION cognitionos_claim_steps(p_worker text, p_limit integer, p_lease double precision, p_cap integer, p_known uuid[])
RETURNS TABLE (id uuid, execution_id uuid, tenant_id uuid, step_id text, item_index integer, type text, attempt integer,
               wait_kind text, wait_key text, resume jsonb, available_at timestamptz, was text, turn bigint,
               workflow_id text, workflow_version text, inputs jsonb)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
DECLARE
  v_queued uuid[];
  v_tenant uuid;
  v_cap integer;
  v_due uuid[];
  v_oldest timestamptz[];
  v_caps integer[];
  v_running integer;
  v_counted boolean;
  v_tenants uuid[];
  v_key integer;
  v_ids uuid[];
  v_was text[];
BEGIN
  IF p_limit IS NULL OR p_limit <= 0 THEN RETURN; END IF;

  -- 1. The tenants with runnable steps: a loose index scan over the per-tenant queue, newest end
  --    first (each probe lands on a tenant's most recent entries, which are alive; its oldest
  --    entries are the ones claimed last, dead until vacuum, which an ascending probe walks).
  WITH RECURSIVE queued AS (
    (SELECT s.tenant_id FROM step_executions s
     WHERE s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 ORDER BY s.tenant_id DESC LIMIT 1)
    UNION ALL
    SELECT (SELECT s.tenant_id FROM step_executions s
            WHERE s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 AND s.tenant_id < q.tenant_id
            ORDER BY s.tenant_id DESC LIMIT 1)
    FROM queued q WHERE q.tenant_id IS NOT NULL
  )
  SELECT array_agg(q.tenant_id) INTO v_queued FROM queued q WHERE q.tenant_id IS NOT NULL;
  IF v_queued IS NULL THEN RETURN; END IF;

  IF cardinality(v_queued) = 1 THEN
    -- One tenant with runnable steps (the usual case): no order to decide and nothing to share
    -- out. Under its lock: an upper bound of its running steps, and as many of its oldest due
    -- steps as its cap and the batch allow.
    v_tenant := v_queued[1];
    v_cap := COALESCE((SELECT t.max_running_steps FROM tenant_quotas t WHERE t.tenant_id = v_tenant), p_cap);
    PERFORM pg_advisory_xact_lock(1131373139, hashtext(v_tenant::text));
    -- The bound is the last count plus every step claimed since (steps that finished are not taken
    -- off), so it is never below the truth; the running steps are counted again (a walk of the
    -- index of running steps, dead entries included) only when the bound leaves no room for this
    -- batch: with a cap far above the batch, one claim in many counts.
    SELECT b.running_bound INTO v_running FROM tenant_claim_bounds b WHERE b.tenant_id = v_tenant;
    v_counted := v_running IS NULL OR v_running + p_limit > v_cap;
    IF v_counted THEN
      SELECT count(*)::integer INTO v_running FROM (SELECT 1 FROM step_executions r
        WHERE r.tenant_id = v_tenant AND r.status = 'running' AND r.deps_remaining = 0 LIMIT v_cap) c;
    END IF;
    IF v_running < v_cap THEN
      SELECT array_agg(p.id ORDER BY p.available_at), array_agg(p.was ORDER BY p.available_at) INTO v_ids, v_was
      FROM (SELECT s.id, s.status AS was, s.available_at FROM step_executions s
            WHERE s.tenant_id = v_tenant AND s.status IN ('pending', 'waiting') AND s.deps_remaining = 0 AND s.available_at <= now()
            ORDER BY s.available_at
            LIMIT LEAST(v_cap - v_running, p_limit)
            FOR UPDATE SKIP LOCKED) p;
    END IF;
    IF v_counted OR v_ids IS NOT NULL THEN
      INSERT INTO tenant_claim_bounds AS b (tenant_id, running_bound) VALUES (v_tenant, v_running + COALESCE(cardinality(v_ids), 0))
      ON CONFLICT (tenant_id) DO UPDATE SET running_bound = EXCLUDED.running_bound;
    END IF;
  ELSE
    -- Several tenants: those with a due step, each with its oldest one and its cap; those with
    -- room under their cap (this snapshot's counts), least loaded first, at most one per place in
    -- the batch.
    SELECT array_agg(q.tenant_id ORDER BY o.oldest), array_agg(o.oldest ORDER BY o.oldest),
           array_agg(COALESCE(t.max_running_steps, p_cap) ORDER BY o.oldest)
    INTO v_due, v_oldest, v_caps
    FROM unnest(v_queued) AS q(tenant_id)
    CROSS JOIN LATERAL (
      SELECT s.available_at AS oldest FROM step_executions s
      WHERE s.tenant_id = q.tenant_id AND s.status IN ('pending', 'waiting') AND s.deps_remaining = 0
      ORDER BY s.available_at LIMIT 1) o
    LEFT JOIN tenant_quotas t ON t.tenant_id = q.tenant_id
    WHERE o.oldest <= now();
    IF v_due IS NULL THEN RETURN; END IF;
    SELECT array_agg(l.tenant_id ORDER BY l.served) INTO v_tenants
    FROM (SELECT d.tenant_id, row_number() OVER (ORDER BY d.running::float8 / d.cap, d.oldest) AS served
          FROM (SELECT x.tenant_id, x.oldest, x.cap,
                       (SELECT count(*) FROM (SELECT 1 FROM step_executions r
                                              WHERE r.tenant_id = x.tenant_id AND r.status = 'running' AND r.deps_remaining = 0
                                              LIMIT x.cap) c) AS running
                FROM unnest(v_due, v_oldest, v_caps) AS x(tenant_id, oldest, cap)) d
          WHERE d.running < d.cap ORDER BY d.running::float8 / d.cap, d.oldest LIMIT p_limit) l;
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
    -- These claims are not added to the tenants' bounds: the bounds are dropped, and counted
    -- afresh by the next one-tenant claim.
    DELETE FROM tenant_claim_bounds b WHERE b.tenant_id = ANY(v_tenants);
    IF v_ids IS NULL THEN RETURN; END IF;
  END IF;
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
  -- An execution's inputs come once per batch (on its first row), and not at all when the worker
  -- holds them already (p_known): the items of a forEach share one execution, and its inputs may be
  -- large; claimSteps gives them to the other rows.
  SELECT c.id, c.execution_id, c.tenant_id, c.step_id, c.item_index, c.type, c.attempt, c.wait_kind, c.wait_key, c.resume,
         c.available_at, c.was, c.turn, e.workflow_id, e.workflow_version,
         CASE WHEN c.execution_id = ANY(p_known) THEN NULL
              WHEN row_number() OVER (PARTITION BY c.execution_id ORDER BY c.turn) = 1 THEN e.inputs END
  FROM claimed c JOIN workflow_executions e ON e.id = c.execution_id
  ORDER BY c.turn;
END
$fn$`;
