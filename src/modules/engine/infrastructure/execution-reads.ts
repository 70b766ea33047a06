import { ExecutionView, StepExecutionView } from '../contracts';
import { Sql } from './sql';

/** ISO time, or null (also for 'infinity': a step waiting with no deadline). */
const iso = (d: Date | null) => (d && Number.isFinite(new Date(d).getTime()) ? new Date(d).toISOString() : null);

function toView(r: any): ExecutionView {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    workflowVersion: r.workflow_version,
    status: r.status,
    inputs: r.inputs,
    outputs: r.outputs,
    error: r.error,
    parentExecutionId: r.parent_execution_id,
    idempotencyKey: r.idempotency_key,
    triggeredBy: r.triggered_by,
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

function toStepView(r: any): StepExecutionView {
  return {
    id: r.id,
    stepId: r.step_id,
    itemIndex: r.item_index,
    type: r.type,
    status: r.status,
    attempt: r.attempt,
    output: r.output,
    error: r.error,
    skipReason: r.skip_reason,
    agentId: r.agent_id,
    taskId: r.task_id,
    availableAt: iso(r.available_at),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
  };
}

const COLUMNS = `id, workflow_id, workflow_version, status, inputs, outputs, error, parent_execution_id, idempotency_key, triggered_by,
  started_at, completed_at, created_at, updated_at`;

/** One execution of a tenant (null for another tenant's), with its steps in creation order. */
export async function readExecution(sql: Sql, tenantId: string, id: string, withSteps: boolean): Promise<ExecutionView | null> {
  const [row] = await sql(`SELECT ${COLUMNS} FROM workflow_executions WHERE id = $1 AND tenant_id = $2`, [id, tenantId]);
  if (!row) return null;
  const view = toView(row);
  if (withSteps) {
    const steps = await sql(
      `SELECT id, step_id, item_index, type, status, attempt, output, error, skip_reason, agent_id, task_id, available_at, started_at, completed_at
       FROM step_executions WHERE execution_id = $1 ORDER BY id`,
      [id],
    );
    view.steps = steps.map(toStepView);
  }
  return view;
}

/** Newest first, keyset on the (time-ordered) id. */
export async function listExecutions(
  sql: Sql,
  tenantId: string,
  filter: { workflowId?: string; status?: string; before?: string },
  limit: number,
): Promise<ExecutionView[]> {
  const rows = await sql(
    `SELECT ${COLUMNS} FROM workflow_executions
     WHERE tenant_id = $1 AND ($2::text IS NULL OR workflow_id = $2) AND ($3::text IS NULL OR status = $3) AND ($4::uuid IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [tenantId, filter.workflowId ?? null, filter.status ?? null, filter.before ?? null, limit],
  );
  return rows.map(toView);
}
