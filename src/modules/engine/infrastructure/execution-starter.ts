import { newId } from '@cognition/platform/ids/uuid';
import { ExecutionPlan } from '../domain/execution-plan';
import { EventRows } from './event-rows';
import { Sql } from './sql';

export const STEPS_CHANNEL = 'cognitionos_steps';

export interface NewExecution {
  tenantId: string;
  plan: ExecutionPlan;
  inputs: Record<string, unknown>;
  triggeredBy: 'api' | 'schedule' | 'parent';
  idempotencyKey: string | null;
  requestHash: string | null;
  parentExecutionId: string | null;
  parentStepExecutionId: string | null;
}

export type StartResult = { created: true; id: string } | { created: false; id: string; requestHash: string | null };

/**
 * Writes a new execution, one row per step (roots runnable at once, the others counting their
 * dependencies), its WorkflowExecutionStarted event and a wake-up for the workers, in the
 * caller's transaction. With an idempotency key already used, writes nothing and returns the first.
 */
export async function insertExecution(sql: Sql, e: NewExecution): Promise<StartResult> {
  const id = newId();
  const steps = e.plan.stepList;
  // One statement: the execution, its steps, its event and the workers' wake-up (NOTIFY is sent at commit).
  const inserted = await sql<{ id: string }>(
    `WITH e AS (
       INSERT INTO workflow_executions (id, tenant_id, workflow_id, workflow_version, status, inputs, triggered_by,
         idempotency_key, request_hash, parent_execution_id, parent_step_execution_id, remaining_steps, started_at)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id, tenant_id
     ), s AS (
       INSERT INTO step_executions (id, execution_id, tenant_id, step_id, type, status, deps_remaining)
       SELECT v.id, e.id, e.tenant_id, v.step_id, v.type, 'pending', v.deps
       FROM e, unnest($12::uuid[], $13::text[], $14::text[], $15::int[]) AS v(id, step_id, type, deps)
     ), ev AS (
       INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
       SELECT $16, e.tenant_id, 'WorkflowExecutionStarted', 'WorkflowExecution', e.id::text, $17::jsonb, now() FROM e
     )
     SELECT e.id, pg_notify('${STEPS_CHANNEL}', '') FROM e`,
    [
      id,
      e.tenantId,
      e.plan.workflowId,
      e.plan.version,
      JSON.stringify(e.inputs),
      e.triggeredBy,
      e.idempotencyKey,
      e.requestHash,
      e.parentExecutionId,
      e.parentStepExecutionId,
      steps.length,
      steps.map(() => newId()),
      steps.map((s) => s.id),
      steps.map((s) => s.type),
      steps.map((s) => s.dependsOn.length),
      newId(),
      JSON.stringify({ executionId: id, workflowId: e.plan.workflowId, workflowVersion: e.plan.version, triggeredBy: e.triggeredBy, parentExecutionId: e.parentExecutionId }),
    ],
    'cognitionos_start_execution',
  );
  if (inserted.length === 0) {
    const [first] = await sql<{ id: string; request_hash: string | null }>(
      `SELECT id, request_hash FROM workflow_executions WHERE tenant_id = $1 AND idempotency_key = $2`,
      [e.tenantId, e.idempotencyKey],
    );
    return { created: false, id: first.id, requestHash: first.request_hash };
  }
  return { created: true, id };
}

/**
 * Starts many executions of one version in a few statements (no idempotency keys): for bulk
 * starts and benchmarks. Same rows and events as insertExecution.
 */
export async function insertExecutions(sql: Sql, tenantId: string, plan: ExecutionPlan, inputsList: Record<string, unknown>[], triggeredBy: NewExecution['triggeredBy'] = 'api'): Promise<string[]> {
  const ids = inputsList.map(() => newId());
  await sql(
    `INSERT INTO workflow_executions (id, tenant_id, workflow_id, workflow_version, status, inputs, triggered_by, remaining_steps, started_at)
     SELECT v.id, $2, $3, $4, 'running', v.inputs, $5, $6, now() FROM unnest($1::uuid[], $7::jsonb[]) AS v(id, inputs)`,
    [ids, tenantId, plan.workflowId, plan.version, triggeredBy, plan.stepList.length, inputsList.map((i) => JSON.stringify(i))],
  );
  const steps = plan.stepList;
  const rows = ids.flatMap((executionId) => steps.map((s) => ({ executionId, s })));
  await sql(
    `INSERT INTO step_executions (id, execution_id, tenant_id, step_id, type, status, deps_remaining)
     SELECT v.id, v.execution_id, $1, v.step_id, v.type, 'pending', v.deps
     FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[]) AS v(id, execution_id, step_id, type, deps)`,
    [tenantId, rows.map(() => newId()), rows.map((r) => r.executionId), rows.map((r) => r.s.id), rows.map((r) => r.s.type), rows.map((r) => r.s.dependsOn.length)],
  );
  const events = new EventRows();
  for (const id of ids) {
    events.add(tenantId, 'WorkflowExecutionStarted', id, { executionId: id, workflowId: plan.workflowId, workflowVersion: plan.version, triggeredBy, parentExecutionId: null });
  }
  await events.flush(sql);
  await sql(`SELECT pg_notify('${STEPS_CHANNEL}', '')`);
  return ids;
}
