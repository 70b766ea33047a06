import { ExpressionError, renderTemplate } from '@cognition/platform/expressions';
import { ExecutionPlan } from '../domain/execution-plan';
import { stepContext } from '../domain/step-context';
import { EventRows } from './event-rows';
import { Sql } from './sql';

interface Finished {
  tenantId: string;
  n: number;
  error: unknown;
  plan: ExecutionPlan;
}

/**
 * Counts the steps that ended in this batch against their executions; an execution with no step
 * left ends `failed` (error of its first failed step) or `completed` with its outputs, and a parent
 * step waiting for it (sub_workflow) is woken. Returns whether a parent was woken.
 */
export async function finalizeExecutions(sql: Sql, finished: Map<string, Finished>, events: EventRows): Promise<boolean> {
  if (finished.size === 0) return false;
  const ids = [...finished.keys()];
  // One statement counts the steps and, for executions without `outputs` templates (the common
  // case), also ends the ones with no step left; templated outputs are evaluated below.
  const counted = await sql(
    `UPDATE workflow_executions e SET
       remaining_steps = e.remaining_steps - v.n,
       error = COALESCE(e.error, v.error),
       status = CASE WHEN v.plain AND e.remaining_steps - v.n <= 0
                     THEN CASE WHEN COALESCE(e.error, v.error) IS NULL THEN 'completed' ELSE 'failed' END ELSE e.status END,
       outputs = CASE WHEN v.plain AND e.remaining_steps - v.n <= 0 AND COALESCE(e.error, v.error) IS NULL
                      THEN (SELECT COALESCE(jsonb_object_agg(x.step_id, x.output), '{}') FROM step_executions x
                            WHERE x.execution_id = e.id AND x.item_index IS NULL AND x.status = 'completed')
                      ELSE e.outputs END,
       completed_at = CASE WHEN v.plain AND e.remaining_steps - v.n <= 0 THEN now() ELSE e.completed_at END,
       updated_at = now()
     FROM unnest($1::uuid[], $2::int[], $3::jsonb[], $4::bool[]) AS v(id, n, error, plain)
     WHERE e.id = ANY($1::uuid[]) AND e.id = v.id AND e.status = 'running'
     RETURNING e.id, e.remaining_steps, e.status, e.error, e.outputs, e.inputs, e.parent_step_execution_id`,
    [
      ids,
      ids.map((id) => finished.get(id)!.n),
      ids.map((id) => (finished.get(id)!.error ? JSON.stringify(finished.get(id)!.error) : null)),
      ids.map((id) => !finished.get(id)!.plan.outputs),
    ],
    // Not named: planned on each call (a kept plan, made while the table was small, scans it whole).
  );
  const done = counted.filter((r) => r.remaining_steps <= 0);
  if (done.length === 0) return false;
  const ended = done.filter((r) => r.status !== 'running').map((r) => ({ id: r.id, f: finished.get(r.id)!, status: r.status, outputs: r.outputs, error: r.error, parent: r.parent_step_execution_id }));
  const outcomes = [...ended, ...(await finishTemplated(sql, done.filter((r) => r.status === 'running'), finished))];
  for (const o of outcomes) {
    const base = { executionId: o.id, workflowId: o.f.plan.workflowId, workflowVersion: o.f.plan.version };
    if (o.status === 'completed') events.add(o.f.tenantId, 'WorkflowExecutionCompleted', o.id, { ...base, outputs: o.outputs });
    else events.add(o.f.tenantId, 'WorkflowExecutionFailed', o.id, { ...base, error: o.error });
  }
  const parents = outcomes.filter((o) => o.parent);
  if (parents.length === 0) return false;
  await sql(
    `UPDATE step_executions s SET resume = v.resume, available_at = now(), updated_at = now()
     FROM unnest($1::uuid[], $2::jsonb[], $3::text[]) AS v(id, resume, child)
     WHERE s.id = ANY($1::uuid[]) AND s.id = v.id AND s.status = 'waiting' AND s.wait_kind = 'child' AND s.wait_key = v.child`,
    [
      parents.map((o) => o.parent),
      parents.map((o) => JSON.stringify({ reason: 'child', payload: { executionId: o.id, status: o.status, outputs: o.outputs, error: o.error } })),
      parents.map((o) => o.id),
    ],
  );
  return true;
}

/** Ends executions whose workflow declares `outputs` templates: evaluated here, with every step's result. */
async function finishTemplated(sql: Sql, rows: any[], finished: Map<string, Finished>) {
  if (rows.length === 0) return [];
  const stepRows = await sql(
    `SELECT execution_id, step_id, status, output FROM step_executions WHERE execution_id = ANY($1::uuid[]) AND item_index IS NULL`,
    [rows.map((r) => r.id)],
    // Not named: planned on each call (a kept plan, made while the table was small, scans it whole).
  );
  const outcomes = rows.map((r) => {
    const f = finished.get(r.id)!;
    if (r.error) return { id: r.id, f, status: 'failed', outputs: null, error: r.error, parent: r.parent_step_execution_id };
    try {
      const context = stepContext(f.plan, r.id, r.inputs, stepRows.filter((s) => s.execution_id === r.id));
      return { id: r.id, f, status: 'completed', outputs: renderTemplate(f.plan.outputs, context), error: null, parent: r.parent_step_execution_id };
    } catch (e) {
      const error = { code: e instanceof ExpressionError ? e.code : 'EXPRESSION_ERROR', message: `workflow outputs: ${(e as ExpressionError).message}` };
      return { id: r.id, f, status: 'failed', outputs: null, error, parent: r.parent_step_execution_id };
    }
  });
  await sql(
    `UPDATE workflow_executions e SET status = v.status, outputs = v.outputs, error = v.error, completed_at = now(), updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::jsonb[]) AS v(id, status, outputs, error) WHERE e.id = ANY($1::uuid[]) AND e.id = v.id`,
    [outcomes.map((o) => o.id), outcomes.map((o) => o.status), outcomes.map((o) => JSON.stringify(o.outputs)), outcomes.map((o) => JSON.stringify(o.error))],
    // Not named: planned on each call (a kept plan, made while the table was small, scans it whole).
  );
  return outcomes;
}
