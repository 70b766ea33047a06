import { MigrationInterface, QueryRunner } from 'typeorm';
import { START_FUNCTION } from './1764150860000-start-claims';

/**
 * `cognitionos_start_execution` writes the roots it claims as running (issue 14, start → step).
 *
 * Until now a start that claimed for its own worker inserted its roots `pending` and then ran the
 * fair claim (`cognitionos_claim_steps`): a loose scan of the queue, a locking select, an UPDATE of
 * the rows just inserted and a second INSERT of events — about 0.3 ms of PostgreSQL's time on the
 * latency path. When the queue holds nothing the claim could take before them, the roots are the
 * claim's whole answer, so the start writes them claimed instead: `running`, attempt 1, leased to the
 * worker, with their StepExecutionStarted events in the INSERT of WorkflowExecutionStarted (after
 * it), and the tenant's running bound raised as the claim would have. It does so only when
 *
 * - nothing of the tenant is due (its older steps keep their turn) and no other tenant has anything
 *   queued (pending, or waiting for a wake-up): the fair claim would then pick exactly these roots;
 * - the worker has room for all the roots; and
 * - the tenant's cap has room for them (`tenant_quotas`, else `p_cap`), counted under the tenant's
 *   claim lock as the claim counts (a paused tenant, cap 0, gets nothing).
 *
 * Otherwise the start is as before: roots pending, then the fair claim. No wake-up is sent after a
 * direct claim: nothing it wrote is left runnable.
 *
 * `enable_seqscan = off`: the probes of the queue are planned generic at a connection's first calls,
 * maybe while the table is small; a sequential scan kept from then would grow with the table.
 */
export class StartDirectClaims1764150880000 implements MigrationInterface {
  name = 'StartDirectClaims1764150880000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(START_DIRECT_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(START_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    await q.query(`ALTER FUNCTION cognitionos_start_execution RESET enable_seqscan`);
  }
}

const QUEUED = `s.status IN ('pending', 'waiting') AND s.deps_remaining = 0`;

const START_DIRECT_FUNCTION = `
CREATE OR REPLACE FUNCTION cognitionos_start_execution(
  p_id uuid, p_tenant uuid, p_workflow text, p_version text, p_inputs jsonb, p_triggered_by text, p_key text, p_hash text,
  p_parent uuid, p_parent_step uuid, p_steps integer, p_step_ids uuid[], p_step_names text[], p_types text[], p_deps integer[],
  p_event uuid, p_payload jsonb,
  p_worker text, p_limit integer, p_lease double precision, p_cap integer, p_known uuid[])
RETURNS TABLE (execution uuid, id uuid, execution_id uuid, tenant_id uuid, step_id text, item_index integer, type text, attempt integer,
               wait_kind text, wait_key text, resume jsonb, available_at timestamptz, was text, turn bigint,
               workflow_id text, workflow_version text, inputs jsonb)
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $fn$
#variable_conflict use_column
DECLARE
  v_id uuid;
  v_claimed integer := 0;
  v_roots integer;
  v_cap integer;
  v_running integer;
  v_counted boolean := false;
  v_direct boolean := false;
BEGIN
  -- 1. May the roots be written claimed? (Nothing due before them, room for all of them.)
  IF p_worker IS NOT NULL AND p_limit > 0 THEN
    SELECT count(*)::integer INTO v_roots FROM unnest(p_deps) AS d WHERE d = 0;
    IF v_roots BETWEEN 1 AND p_limit
       AND NOT EXISTS (SELECT 1 FROM step_executions s WHERE s.tenant_id = p_tenant AND ${QUEUED} AND s.available_at <= now())
       AND NOT EXISTS (SELECT 1 FROM step_executions s WHERE s.tenant_id > p_tenant AND ${QUEUED})
       AND NOT EXISTS (SELECT 1 FROM step_executions s WHERE s.tenant_id < p_tenant AND ${QUEUED}) THEN
      v_cap := COALESCE((SELECT t.max_running_steps FROM tenant_quotas t WHERE t.tenant_id = p_tenant), p_cap);
      -- The tenant's claim lock and running bound, as in cognitionos_claim_steps.
      PERFORM pg_advisory_xact_lock(1131373139, hashtext(p_tenant::text));
      SELECT b.running_bound INTO v_running FROM tenant_claim_bounds b WHERE b.tenant_id = p_tenant;
      v_counted := v_running IS NULL OR v_running + v_roots > v_cap;
      IF v_counted THEN
        SELECT count(*)::integer INTO v_running FROM (SELECT 1 FROM step_executions r
          WHERE r.tenant_id = p_tenant AND r.status = 'running' AND r.deps_remaining = 0 LIMIT v_cap) c;
      END IF;
      v_direct := v_running + v_roots <= v_cap;
    END IF;
  END IF;

  -- 2. The execution, its steps (the roots claimed when v_direct) and its events, in commit order.
  WITH e AS (
    INSERT INTO workflow_executions (id, tenant_id, workflow_id, workflow_version, status, inputs, triggered_by,
      idempotency_key, request_hash, parent_execution_id, parent_step_execution_id, remaining_steps, started_at)
    VALUES (p_id, p_tenant, p_workflow, p_version, 'running', p_inputs, p_triggered_by, p_key, p_hash, p_parent, p_parent_step, p_steps, now())
    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, tenant_id
  ), s AS (
    INSERT INTO step_executions (id, execution_id, tenant_id, step_id, type, status, deps_remaining, attempt, lease_owner, lease_expires_at, started_at)
    SELECT v.id, e.id, e.tenant_id, v.step_id, v.type, CASE WHEN v.claim THEN 'running' ELSE 'pending' END, v.deps,
           CASE WHEN v.claim THEN 1 ELSE 0 END, CASE WHEN v.claim THEN p_worker END,
           CASE WHEN v.claim THEN now() + make_interval(secs => p_lease) END, CASE WHEN v.claim THEN now() END
    FROM e, (SELECT u.*, v_direct AND u.deps = 0 AS claim
             FROM unnest(p_step_ids, p_step_names, p_types, p_deps) AS u(id, step_id, type, deps)) v
  ), ev AS (
    INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
    SELECT x.id, x.tenant_id, x.type, 'WorkflowExecution', x.aggregate_id, x.payload, now()
    FROM (
      SELECT 0::bigint AS turn, p_event AS id, e.tenant_id, 'WorkflowExecutionStarted' AS type, e.id::text AS aggregate_id, p_payload AS payload
      FROM e
      UNION ALL
      SELECT v.turn, cognitionos_uuid_v7(), e.tenant_id, 'StepExecutionStarted', e.id::text,
             jsonb_build_object('executionId', e.id, 'stepExecutionId', v.id, 'stepId', v.step_id, 'itemIndex', NULL,
                                'type', v.type, 'attempt', 1, 'workerId', p_worker)
      FROM e, unnest(p_step_ids, p_step_names, p_types, p_deps) WITH ORDINALITY AS v(id, step_id, type, deps, turn)
      WHERE v_direct AND v.deps = 0
    ) x
    ORDER BY x.turn
  )
  SELECT e.id INTO v_id FROM e;
  IF v_id IS NULL THEN RETURN; END IF;

  IF v_direct THEN
    INSERT INTO tenant_claim_bounds AS b (tenant_id, running_bound) VALUES (p_tenant, v_running + v_roots)
    ON CONFLICT (tenant_id) DO UPDATE SET running_bound = EXCLUDED.running_bound;
    RETURN QUERY
    SELECT v_id, v.id, v_id, p_tenant, v.step_id, NULL::integer, v.type, 1, NULL::text, NULL::text, NULL::jsonb, now(), 'pending'::text,
           v.turn, p_workflow, p_version, CASE WHEN row_number() OVER (ORDER BY v.turn) = 1 THEN p_inputs END
    FROM unnest(p_step_ids, p_step_names, p_types, p_deps) WITH ORDINALITY AS v(id, step_id, type, deps, turn)
    WHERE v.deps = 0
    ORDER BY v.turn;
    RETURN;
  END IF;
  IF v_counted THEN
    INSERT INTO tenant_claim_bounds AS b (tenant_id, running_bound) VALUES (p_tenant, v_running)
    ON CONFLICT (tenant_id) DO UPDATE SET running_bound = EXCLUDED.running_bound;
  END IF;

  -- 3. Otherwise the fair claim, as before (migration 1764150860000-start-claims).
  IF p_worker IS NOT NULL AND p_limit > 0 THEN
    RETURN QUERY
    SELECT v_id, c.id, c.execution_id, c.tenant_id, c.step_id, c.item_index, c.type, c.attempt, c.wait_kind, c.wait_key,
           c.resume, c.available_at, c.was, c.turn, c.workflow_id, c.workflow_version, c.inputs
    FROM cognitionos_claim_steps(p_worker, p_limit, p_lease, p_cap, p_known) c
    ORDER BY c.turn;
    GET DIAGNOSTICS v_claimed = ROW_COUNT;
  END IF;
  IF p_worker IS NULL OR p_limit <= 0 OR v_claimed >= p_limit THEN
    PERFORM pg_notify('cognitionos_steps', '');
  END IF;
  IF v_claimed = 0 THEN
    RETURN QUERY SELECT v_id, NULL::uuid, NULL::uuid, NULL::uuid, NULL::text, NULL::integer, NULL::text, NULL::integer,
                        NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz, NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::jsonb;
  END IF;
END
$fn$`;
