import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cognitionos_start_execution`: a start and, for a worker in the starting process, its first claim,
 * in one statement (issue 14, start → step latency).
 *
 * Until now a start was one statement (the execution, its steps, its WorkflowExecutionStarted event
 * and a NOTIFY) and the step reached a handler only after the NOTIFY had woken a worker and that
 * worker's claim had made a second round trip: two commits and a notification hop before any step
 * ran. Given `p_worker`, the function claims for that worker right after writing the execution,
 * through `cognitionos_claim_steps` itself (the same fair order, the same per-tenant caps and
 * bounds, the same StepExecutionStarted events), so the caller hands the claimed steps to its worker
 * without another round trip. The other workers are woken (NOTIFY at commit) only when the claim
 * filled all it asked for, as after an eager claim of the result writer: then more may be due.
 * Without `p_worker` (no worker in the process, or a start inside a caller's transaction, whose
 * claim a worker must not see before the commit) it writes and notifies as before.
 *
 * Rows: nothing when the idempotency key was used before (nothing is written); else the claimed
 * steps in their turn, each with `execution` = the new execution's id, or one row with only
 * `execution` set when nothing was claimed.
 */
export class StartClaims1764150860000 implements MigrationInterface {
  name = 'StartClaims1764150860000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(START_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cognitionos_start_execution(${SIGNATURE})`);
  }
}

const SIGNATURE = `uuid, uuid, text, text, jsonb, text, text, text, uuid, uuid, integer, uuid[], text[], text[], integer[], uuid, jsonb,
  text, integer, double precision, integer, uuid[]`;

export const START_FUNCTION = `
CREATE FUNCTION cognitionos_start_execution(
  p_id uuid, p_tenant uuid, p_workflow text, p_version text, p_inputs jsonb, p_triggered_by text, p_key text, p_hash text,
  p_parent uuid, p_parent_step uuid, p_steps integer, p_step_ids uuid[], p_step_names text[], p_types text[], p_deps integer[],
  p_event uuid, p_payload jsonb,
  p_worker text, p_limit integer, p_lease double precision, p_cap integer, p_known uuid[])
RETURNS TABLE (execution uuid, id uuid, execution_id uuid, tenant_id uuid, step_id text, item_index integer, type text, attempt integer,
               wait_kind text, wait_key text, resume jsonb, available_at timestamptz, was text, turn bigint,
               workflow_id text, workflow_version text, inputs jsonb)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
  v_id uuid;
  v_claimed integer := 0;
BEGIN
  WITH e AS (
    INSERT INTO workflow_executions (id, tenant_id, workflow_id, workflow_version, status, inputs, triggered_by,
      idempotency_key, request_hash, parent_execution_id, parent_step_execution_id, remaining_steps, started_at)
    VALUES (p_id, p_tenant, p_workflow, p_version, 'running', p_inputs, p_triggered_by, p_key, p_hash, p_parent, p_parent_step, p_steps, now())
    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, tenant_id
  ), s AS (
    INSERT INTO step_executions (id, execution_id, tenant_id, step_id, type, status, deps_remaining)
    SELECT v.id, e.id, e.tenant_id, v.step_id, v.type, 'pending', v.deps
    FROM e, unnest(p_step_ids, p_step_names, p_types, p_deps) AS v(id, step_id, type, deps)
  ), ev AS (
    INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
    SELECT p_event, e.tenant_id, 'WorkflowExecutionStarted', 'WorkflowExecution', e.id::text, p_payload, now() FROM e
  )
  SELECT e.id INTO v_id FROM e;
  IF v_id IS NULL THEN RETURN; END IF;

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
