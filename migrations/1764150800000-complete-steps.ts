import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A step transition in one round trip (issue 14): `cognitionos_complete_steps` completes a batch of
 * steps, writes their StepExecutionCompleted events, unlocks their dependents, counts them against
 * their executions (ending those with no step left, with their event, and waking a parent step
 * waiting for one), hands the unlocked steps off to the worker whose results freed the slots, claims
 * through the queue when more may be due, and notifies the other workers when it could not take all
 * that is due — in one statement, so one transaction, sent by the result writer in autocommit
 * (a chain link was BEGIN, finish, unlock, count, events, hand-off, COMMIT: seven round trips).
 *
 * It is the writer's path for the common batch: every result `completed`, no forEach item, no
 * concurrency key held, no `outputs` template in the executions' workflows (those, and every other
 * kind of result, take the statement-per-step path of step-results.writer.ts, which does the same
 * in more round trips).
 *
 * Outputs come as an array beside the ids and are picked by position, not joined: `UPDATE … FROM
 * unnest(…)` builds the whole joined row for every updated row (`ExecEvalWholeRowVar`, with a jsonb
 * output flattened by `toast_build_flattened_tuple`); when every output is null (no-op steps) no
 * array is sent. `enable_seqscan = off`: the function's plans are generic, made at a connection's
 * first calls, in a new database while the tables are small — a sequential scan then would be kept
 * while the tables grow (autovacuum, whose ANALYZE would replace it, may be off); every statement
 * here has an index.
 *
 * Returns `{completed, failed, notify, drained, claimed: [claim rows as cognitionos_claim_steps
 * gives them]}`: executions ended, whether other workers were woken, whether a claim through the
 * queue found less than it asked for.
 */
export const COMPLETE_STEPS_FUNCTION = `
CREATE FUNCTION cognitionos_complete_steps(
  p_worker text, p_ids uuid[], p_outputs jsonb[], p_dep_from uuid[], p_dep_execution uuid[], p_dep_step text[],
  p_limit integer, p_lease float8, p_cap integer, p_known uuid[], p_backlog boolean)
RETURNS jsonb
LANGUAGE plpgsql
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  v_ids uuid[];
  v_executions uuid[];
  v_tenants uuid[];
  v_unlocked uuid[];
  v_unlocked_tenants uuid[];
  v_dependents integer;
  v_hand uuid[];
  v_completed integer := 0;
  v_failed integer := 0;
  v_woke boolean := false;
  v_claimed jsonb := '[]';
  v_more jsonb;
  v_taken integer := 0;
  v_room integer;
  v_more_due boolean;
  v_queue boolean;
  v_drained boolean := false;
  v_notify boolean;
BEGIN
  -- The steps, guarded by this worker's lease: a late result (lease lost, execution cancelled) changes nothing.
  WITH done AS (
    UPDATE step_executions s
    SET status = 'completed', output = CASE WHEN p_outputs IS NULL THEN NULL ELSE p_outputs[array_position(p_ids, s.id)] END,
        error = NULL, skip_reason = NULL, completed_at = now(), lease_owner = NULL, lease_expires_at = NULL, wait_kind = NULL,
        resume = NULL, updated_at = now()
    WHERE s.id = ANY(p_ids) AND s.status = 'running' AND s.lease_owner = p_worker
    RETURNING s.id, s.execution_id, s.tenant_id, s.step_id, s.item_index, s.type, s.attempt, s.output
  ), events AS (
    INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
    SELECT cognitionos_uuid_v7(), d.tenant_id, 'StepExecutionCompleted', 'WorkflowExecution', d.execution_id::text,
           jsonb_build_object('executionId', d.execution_id, 'stepExecutionId', d.id, 'stepId', d.step_id, 'itemIndex', d.item_index,
                              'type', d.type, 'attempt', d.attempt, 'output', d.output, 'workerId', p_worker),
           now()
    FROM done d ORDER BY array_position(p_ids, d.id)
  )
  SELECT array_agg(d.id), array_agg(d.execution_id), array_agg(d.tenant_id) INTO v_ids, v_executions, v_tenants FROM done d;
  IF v_ids IS NULL THEN
    RETURN jsonb_build_object('completed', 0, 'failed', 0, 'notify', false, 'drained', false, 'claimed', '[]'::jsonb);
  END IF;

  -- Dependents of the completed steps: one dependency fewer each; those with none left are runnable.
  WITH deps AS (
    SELECT d.execution_id, d.step_id, count(*)::integer AS n
    FROM unnest(p_dep_from, p_dep_execution, p_dep_step) AS d(from_id, execution_id, step_id)
    WHERE d.from_id = ANY(v_ids)
    GROUP BY d.execution_id, d.step_id
  ), counted AS (
    UPDATE step_executions s SET deps_remaining = s.deps_remaining - d.n, available_at = now(), updated_at = now()
    FROM deps d
    WHERE s.execution_id = d.execution_id AND s.step_id = d.step_id AND COALESCE(s.item_index, -1) = -1 AND s.status = 'pending'
    RETURNING s.id, s.tenant_id, s.deps_remaining
  )
  SELECT array_agg(c.id) FILTER (WHERE c.deps_remaining <= 0), array_agg(c.tenant_id) FILTER (WHERE c.deps_remaining <= 0),
         (SELECT count(*) FROM deps)
  INTO v_unlocked, v_unlocked_tenants, v_dependents FROM counted c;

  -- Executions: their steps counted; those with none left end, with their event, and wake a parent step waiting for them.
  WITH n AS (
    SELECT x.id, count(*)::integer AS n FROM unnest(v_executions) AS x(id) GROUP BY x.id
  ), counted AS (
    UPDATE workflow_executions e SET
      remaining_steps = e.remaining_steps - n.n,
      status = CASE WHEN e.remaining_steps - n.n <= 0 THEN CASE WHEN e.error IS NULL THEN 'completed' ELSE 'failed' END ELSE e.status END,
      outputs = CASE WHEN e.remaining_steps - n.n <= 0 AND e.error IS NULL
                     THEN (SELECT COALESCE(jsonb_object_agg(x.step_id, x.output), '{}') FROM step_executions x
                           WHERE x.execution_id = e.id AND x.item_index IS NULL AND x.status = 'completed')
                     ELSE e.outputs END,
      completed_at = CASE WHEN e.remaining_steps - n.n <= 0 THEN now() ELSE e.completed_at END,
      updated_at = now()
    FROM n
    WHERE e.id = n.id AND e.status = 'running'
    RETURNING e.id, e.tenant_id, e.status, e.error, e.outputs, e.workflow_id, e.workflow_version, e.parent_step_execution_id, e.remaining_steps
  ), ended AS (
    SELECT * FROM counted WHERE remaining_steps <= 0
  ), events AS (
    INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
    SELECT cognitionos_uuid_v7(), x.tenant_id,
           CASE WHEN x.status = 'completed' THEN 'WorkflowExecutionCompleted' ELSE 'WorkflowExecutionFailed' END,
           'WorkflowExecution', x.id::text,
           CASE WHEN x.status = 'completed'
                THEN jsonb_build_object('executionId', x.id, 'workflowId', x.workflow_id, 'workflowVersion', x.workflow_version, 'outputs', x.outputs)
                ELSE jsonb_build_object('executionId', x.id, 'workflowId', x.workflow_id, 'workflowVersion', x.workflow_version, 'error', x.error) END,
           now()
    FROM ended x
  ), parents AS (
    UPDATE step_executions s
    SET resume = jsonb_build_object('reason', 'child', 'payload',
                   jsonb_build_object('executionId', x.id, 'status', x.status, 'outputs', x.outputs, 'error', x.error)),
        available_at = now(), updated_at = now()
    FROM ended x
    WHERE x.parent_step_execution_id IS NOT NULL AND s.id = x.parent_step_execution_id
      AND s.status = 'waiting' AND s.wait_kind = 'child' AND s.wait_key = x.id::text
    RETURNING s.id
  )
  SELECT count(*) FILTER (WHERE x.status = 'completed'), count(*) FILTER (WHERE x.status = 'failed'),
         COALESCE(bool_or(x.parent_step_execution_id IS NOT NULL), false)
  INTO v_completed, v_failed, v_woke
  FROM ended x;

  -- Nothing became runnable: nothing to dispatch.
  IF v_dependents = 0 AND NOT v_woke THEN
    RETURN jsonb_build_object('completed', v_completed, 'failed', v_failed, 'notify', false, 'drained', false, 'claimed', '[]'::jsonb);
  END IF;
  IF p_limit <= 0 THEN
    PERFORM pg_notify('cognitionos_steps', '');
    RETURN jsonb_build_object('completed', v_completed, 'failed', v_failed, 'notify', true, 'drained', false, 'claimed', '[]'::jsonb);
  END IF;

  -- The hand-off: per tenant, no more unlocked steps than its completed steps freed slots; at most p_limit.
  SELECT array_agg(h.id ORDER BY h.turn) INTO v_hand FROM (
    SELECT u.id, u.turn FROM (
      SELECT u.id, u.turn, row_number() OVER (PARTITION BY u.tenant_id ORDER BY u.turn) AS k, u.tenant_id
      FROM unnest(v_unlocked, v_unlocked_tenants) WITH ORDINALITY AS u(id, tenant_id, turn)
    ) u JOIN (SELECT t.tenant_id, count(*) AS freed FROM unnest(v_tenants) AS t(tenant_id) GROUP BY t.tenant_id) f ON f.tenant_id = u.tenant_id
    WHERE u.k <= f.freed
    ORDER BY u.turn LIMIT p_limit
  ) h;
  IF v_hand IS NOT NULL THEN
    WITH claimed AS (
      UPDATE step_executions s
      SET status = 'running', attempt = s.attempt + 1, lease_owner = p_worker, lease_expires_at = now() + make_interval(secs => p_lease),
          started_at = now(), updated_at = now()
      WHERE s.id = ANY(v_hand) AND s.status = 'pending' AND s.deps_remaining <= 0 AND s.available_at <= now()
        AND NOT EXISTS (SELECT 1 FROM tenant_quotas q WHERE q.tenant_id = s.tenant_id)
      RETURNING s.id, s.execution_id, s.tenant_id, s.step_id, s.item_index, s.type, s.attempt, s.wait_kind, s.wait_key,
                s.resume, s.available_at
    ), ordered AS (
      SELECT c.*, p.turn FROM claimed c JOIN unnest(v_hand) WITH ORDINALITY AS p(id, turn) ON p.id = c.id
    ), started AS (
      INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
      SELECT cognitionos_uuid_v7(), c.tenant_id, 'StepExecutionStarted', 'WorkflowExecution', c.execution_id::text,
             jsonb_build_object('executionId', c.execution_id, 'stepExecutionId', c.id, 'stepId', c.step_id,
                                'itemIndex', c.item_index, 'type', c.type, 'attempt', c.attempt, 'workerId', p_worker),
             now()
      FROM ordered c ORDER BY c.turn
    ), picked AS (
      SELECT c.id, c.execution_id, c.tenant_id, c.step_id, c.item_index, c.type, c.attempt, c.wait_kind, c.wait_key, c.resume,
             c.available_at, 'pending' AS was, e.workflow_id, e.workflow_version,
             CASE WHEN c.execution_id = ANY(p_known) THEN NULL
                  WHEN row_number() OVER (PARTITION BY c.execution_id ORDER BY c.turn) = 1 THEN e.inputs END AS inputs,
             c.turn
      FROM ordered c JOIN workflow_executions e ON e.id = c.execution_id
    )
    SELECT COALESCE(jsonb_agg(to_jsonb(r) - 'turn' ORDER BY r.turn), '[]'), count(*) INTO v_claimed, v_taken FROM picked r;
  END IF;

  -- More may be due than was handed off (unlocked steps left over, a parent woken, or a backlog): claim through the queue.
  v_room := p_limit - v_taken;
  v_more_due := v_woke OR COALESCE(cardinality(v_unlocked), 0) > v_taken;
  v_queue := v_room > 0 AND (v_more_due OR p_backlog);
  IF v_queue THEN
    SELECT COALESCE(jsonb_agg(to_jsonb(c) - 'turn' ORDER BY c.turn), '[]'), count(*) INTO v_more, v_taken
    FROM cognitionos_claim_steps(p_worker, v_room, p_lease, p_cap, p_known) c;
    v_claimed := v_claimed || v_more;
    v_drained := v_taken < v_room;
  END IF;
  -- Wake the other workers only if this one could not take everything that is due.
  v_notify := CASE WHEN v_queue THEN NOT v_drained ELSE v_more_due END;
  IF v_notify THEN
    PERFORM pg_notify('cognitionos_steps', '');
  END IF;
  RETURN jsonb_build_object('completed', v_completed, 'failed', v_failed, 'notify', v_notify, 'drained', v_drained, 'claimed', v_claimed);
END
$fn$`;

export class CompleteSteps1764150800000 implements MigrationInterface {
  name = 'CompleteSteps1764150800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(COMPLETE_STEPS_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cognitionos_complete_steps(text, uuid[], jsonb[], uuid[], uuid[], text[], integer, double precision, integer, uuid[], boolean)`);
  }
}
