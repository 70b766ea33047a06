import { ExpressionError, renderTemplate } from '../../../platform/expressions';
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
  const counted = await sql(
    `UPDATE workflow_executions e SET remaining_steps = e.remaining_steps - v.n, error = COALESCE(e.error, v.error), updated_at = now()
     FROM unnest($1::uuid[], $2::int[], $3::jsonb[]) AS v(id, n, error)
     WHERE e.id = v.id AND e.status = 'running'
     RETURNING e.id, e.remaining_steps, e.error, e.inputs, e.parent_step_execution_id`,
    [ids, ids.map((id) => finished.get(id)!.n), ids.map((id) => (finished.get(id)!.error ? JSON.stringify(finished.get(id)!.error) : null))],
  );
  const done = counted.filter((r) => r.remaining_steps <= 0);
  if (done.length === 0) return false;
  const stepRows = await sql(
    `SELECT execution_id, step_id, status, output FROM step_executions WHERE execution_id = ANY($1::uuid[]) AND item_index IS NULL`,
    [done.map((r) => r.id)],
  );
  const outcomes = done.map((r) => {
    const f = finished.get(r.id)!;
    if (r.error) return { id: r.id, f, status: 'failed', outputs: null, error: r.error, parent: r.parent_step_execution_id };
    const rows = stepRows.filter((s) => s.execution_id === r.id);
    try {
      return { id: r.id, f, status: 'completed', outputs: outputsOf(f.plan, r.id, r.inputs, rows), error: null, parent: r.parent_step_execution_id };
    } catch (e) {
      const error = { code: 'EXPRESSION_ERROR', message: `workflow outputs: ${(e as ExpressionError).message}` };
      return { id: r.id, f, status: 'failed', outputs: null, error, parent: r.parent_step_execution_id };
    }
  });
  await sql(
    `UPDATE workflow_executions e SET status = v.status, outputs = v.outputs, error = v.error, completed_at = now(), updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::jsonb[]) AS v(id, status, outputs, error) WHERE e.id = v.id`,
    [outcomes.map((o) => o.id), outcomes.map((o) => o.status), outcomes.map((o) => JSON.stringify(o.outputs)), outcomes.map((o) => JSON.stringify(o.error))],
  );
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
     WHERE s.id = v.id AND s.status = 'waiting' AND s.wait_kind = 'child' AND s.wait_key = v.child`,
    [
      parents.map((o) => o.parent),
      parents.map((o) => JSON.stringify({ reason: 'child', payload: { executionId: o.id, status: o.status, outputs: o.outputs, error: o.error } })),
      parents.map((o) => o.id),
    ],
  );
  return true;
}

/** `{<stepId>: output}` of completed steps, or the workflow's declared `outputs` templates evaluated. */
function outputsOf(plan: ExecutionPlan, executionId: string, inputs: Record<string, unknown>, rows: { step_id: string; status: string; output: unknown }[]): unknown {
  if (!plan.outputs) return Object.fromEntries(rows.filter((r) => r.status === 'completed').map((r) => [r.step_id, r.output]));
  const context = stepContext(plan, executionId, inputs, rows);
  return renderTemplate(plan.outputs, context);
}
