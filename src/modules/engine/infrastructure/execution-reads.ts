import { encodeCursor } from '@cognition/platform/pagination/cursor';
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

/** Steps on the first page that GET /executions/{id} returns (the rest: GET /executions/{id}/steps). */
export const FIRST_STEPS_PAGE = 100;

const STEP_COLUMNS = `id, step_id, item_index, type, status, attempt, output, error, skip_reason, agent_id, task_id, available_at, started_at, completed_at`;

/**
 * One execution of a tenant (null for another tenant's), with the first page of its steps and the
 * cursor of the next (see readStepsPage for the order).
 */
export async function readExecution(sql: Sql, tenantId: string, id: string, withSteps: boolean): Promise<ExecutionView | null> {
  const [row] = await sql(`SELECT ${COLUMNS} FROM workflow_executions WHERE id = $1 AND tenant_id = $2`, [id, tenantId]);
  if (!row) return null;
  const view = toView(row);
  if (withSteps) {
    const page = await readStepsPage(sql, id, undefined, FIRST_STEPS_PAGE);
    view.steps = page!.items;
    view.stepsNextCursor = page!.next ? encodeCursor({ id: page!.next }) : null;
  }
  return view;
}

/**
 * One page of an execution's steps, keyset-paginated in this order: the steps themselves (ordered
 * by step id), then the forEach items (by step id, then item index). Each page is an index range
 * of `uq_step_executions_item` (execution, step id, item index), so a page costs the same whatever
 * the number of items. `after` is the id of the last step of the previous page; null when it is
 * not a step of this execution. `next` is the id to continue after, or null on the last page.
 */
export async function readStepsPage(sql: Sql, executionId: string, after: string | undefined, limit: number): Promise<{ items: StepExecutionView[]; next: string | null } | null> {
  let afterStep = '';
  let afterItem = -1;
  if (after !== undefined) {
    const [cursor] = await sql<{ step_id: string; item: number }>(
      `SELECT step_id, COALESCE(item_index, -1) AS item FROM step_executions WHERE id = $1 AND execution_id = $2`,
      [after, executionId],
    );
    if (!cursor) return null;
    afterStep = cursor.step_id;
    afterItem = cursor.item;
  }
  const rows: any[] = [];
  if (afterItem === -1) {
    // The steps themselves: COALESCE(item_index, -1) = -1 is checked on the index entries.
    rows.push(
      ...(await sql(
        `SELECT ${STEP_COLUMNS} FROM step_executions
         WHERE execution_id = $1 AND COALESCE(item_index, -1) = -1 AND step_id > $2 ORDER BY step_id LIMIT $3`,
        [executionId, afterStep, limit + 1],
      )),
    );
  }
  if (rows.length <= limit) {
    const [fromStep, fromItem] = afterItem === -1 ? ['', -1] : [afterStep, afterItem];
    rows.push(
      ...(await sql(
        `SELECT ${STEP_COLUMNS} FROM step_executions
         WHERE execution_id = $1 AND COALESCE(item_index, -1) >= 0 AND (step_id, COALESCE(item_index, -1)) > ($2::text, $3::int)
         ORDER BY step_id, COALESCE(item_index, -1) LIMIT $4`,
        [executionId, fromStep, fromItem, limit + 1 - rows.length],
      )),
    );
  }
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map(toStepView);
  return { items, next: more ? items[items.length - 1].id : null };
}

/** Newest first, keyset on the (time-ordered) id. */
export async function listExecutions(
  sql: Sql,
  tenantId: string,
  filter: { workflowId?: string; status?: string; before?: string; from?: string; to?: string },
  limit: number,
): Promise<ExecutionView[]> {
  const rows = await sql(
    `SELECT ${COLUMNS} FROM workflow_executions
     WHERE tenant_id = $1 AND ($2::text IS NULL OR workflow_id = $2) AND ($3::text IS NULL OR status = $3) AND ($4::uuid IS NULL OR id < $4)
       AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7)
     ORDER BY id DESC LIMIT $5`,
    [tenantId, filter.workflowId ?? null, filter.status ?? null, filter.before ?? null, limit, filter.from ?? null, filter.to ?? null],
  );
  return rows.map(toView);
}
