import { DomainError } from '@cognition/platform/domain';
import { ExecutionPlan } from '../domain/execution-plan';
import { EventRows } from './event-rows';
import { STEPS_CHANNEL } from './execution-starter';
import { Sql } from './sql';

export const CANCEL_CHANNEL = 'cognitionos_cancel';

async function loadForChange(sql: Sql, tenantId: string, executionId: string) {
  const [row] = await sql(`SELECT id, status, workflow_id, workflow_version, parent_step_execution_id FROM workflow_executions WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [
    executionId,
    tenantId,
  ]);
  if (!row) throw new DomainError('EXECUTION_NOT_FOUND', `Execution ${executionId} not found`);
  return row;
}

/**
 * Cancels an execution and, recursively, its running sub-workflows: pending and waiting steps are
 * cancelled at once; running ones too, and their workers are told (NOTIFY) to abort the handlers.
 */
export async function cancelExecution(sql: Sql, tenantId: string, executionId: string): Promise<void> {
  const root = await loadForChange(sql, tenantId, executionId);
  if (root.status !== 'pending' && root.status !== 'running') {
    throw new DomainError('EXECUTION_NOT_RUNNING', `Execution ${executionId} is ${root.status}; only a pending or running execution can be cancelled`);
  }
  const events = new EventRows();
  let level: string[] = [executionId];
  const all: string[] = [];
  while (level.length) {
    const cancelled = await sql(
      `UPDATE workflow_executions SET status = 'cancelled', completed_at = now(), updated_at = now()
       WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'running')
       RETURNING id, tenant_id, workflow_id, workflow_version`,
      [level],
    );
    for (const e of cancelled) {
      events.add(e.tenant_id, 'WorkflowExecutionCancelled', e.id, { executionId: e.id, workflowId: e.workflow_id, workflowVersion: e.workflow_version });
      all.push(e.id);
    }
    await sql(
      `UPDATE step_executions SET status = 'cancelled', completed_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE execution_id = ANY($1::uuid[]) AND status IN ('pending', 'waiting', 'running')`,
      [cancelled.map((e) => e.id)],
    );
    await sql(`DELETE FROM concurrency_slots c USING step_executions s WHERE s.id = c.step_execution_id AND s.execution_id = ANY($1::uuid[])`, [all]);
    const children = await sql(`SELECT id FROM workflow_executions WHERE parent_execution_id = ANY($1::uuid[]) AND status IN ('pending', 'running')`, [
      cancelled.map((e) => e.id),
    ]);
    level = children.map((c) => c.id);
  }
  if (root.parent_step_execution_id) {
    await sql(`UPDATE step_executions SET resume = $2, available_at = now() WHERE id = $1 AND status = 'waiting' AND wait_kind = 'child' AND wait_key = $3`, [
      root.parent_step_execution_id,
      JSON.stringify({ reason: 'child', payload: { executionId, status: 'cancelled', outputs: null, error: null } }),
      executionId,
    ]);
    await sql(`SELECT pg_notify('${STEPS_CHANNEL}', '')`);
  }
  await events.flush(sql);
  for (const id of all) await sql(`SELECT pg_notify('${CANCEL_CHANNEL}', $1)`, [id]);
}

/** A failed execution runs again from its failed steps and what they skipped; completed outputs stay. */
export async function retryExecution(sql: Sql, tenantId: string, executionId: string, plan: (workflowId: string, version: string) => Promise<ExecutionPlan>): Promise<void> {
  const execution = await loadForChange(sql, tenantId, executionId);
  if (execution.status !== 'failed') {
    throw new DomainError('EXECUTION_NOT_FAILED', `Execution ${executionId} is ${execution.status}; only a failed execution can be retried`);
  }
  const p = await plan(execution.workflow_id, execution.workflow_version);
  const rows = await sql<{ step_id: string; status: string; skip_reason: string | null }>(
    `SELECT step_id, status, skip_reason FROM step_executions WHERE execution_id = $1 AND item_index IS NULL`,
    [executionId],
  );
  const rerun = new Set(rows.filter((r) => r.status === 'failed' || r.status === 'cancelled' || (r.status === 'skipped' && r.skip_reason === 'UPSTREAM_FAILED')).map((r) => r.step_id));
  const steps = [...rerun];
  await sql(`DELETE FROM step_executions WHERE execution_id = $1 AND item_index IS NOT NULL AND step_id = ANY($2::text[])`, [executionId, steps]);
  await sql(
    `UPDATE step_executions s SET status = 'pending', attempt = 0, deps_remaining = v.deps, output = NULL, error = NULL, skip_reason = NULL,
       wait_kind = NULL, wait_key = NULL, resume = NULL, children_remaining = NULL, available_at = now(), started_at = NULL, completed_at = NULL,
       lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     FROM unnest($2::text[], $3::int[]) AS v(step_id, deps)
     WHERE s.execution_id = $1 AND s.step_id = v.step_id AND COALESCE(s.item_index, -1) = -1`,
    [executionId, steps, steps.map((id) => p.step(id).dependsOn.filter((d) => rerun.has(d)).length)],
  );
  await sql(
    `UPDATE workflow_executions SET status = 'running', error = NULL, outputs = NULL, completed_at = NULL, remaining_steps = $2, updated_at = now() WHERE id = $1`,
    [executionId, steps.length],
  );
  const events = new EventRows();
  events.add(tenantId, 'WorkflowExecutionStarted', executionId, {
    executionId,
    workflowId: execution.workflow_id,
    workflowVersion: execution.workflow_version,
    triggeredBy: 'api',
    parentExecutionId: null,
    retry: true,
  });
  await events.flush(sql);
  await sql(`SELECT pg_notify('${STEPS_CHANNEL}', '')`);
}

export async function assertSignalable(sql: Sql, tenantId: string, executionId: string): Promise<void> {
  const [row] = await sql(`SELECT status FROM workflow_executions WHERE id = $1 AND tenant_id = $2`, [executionId, tenantId]);
  if (!row) throw new DomainError('EXECUTION_NOT_FOUND', `Execution ${executionId} not found`);
  if (row.status !== 'running' && row.status !== 'pending') {
    throw new DomainError('EXECUTION_NOT_RUNNING', `Execution ${executionId} is ${row.status}; signals go to running executions`);
  }
}
