import { newId } from '@cognition/platform/ids/uuid';
import { ExecutionPlan } from '../domain/execution-plan';
import { EventRows } from './event-rows';
import { ExecutionInputsCache } from './execution-inputs-cache';
import { Sql } from './sql';
import { claimedSteps, ClaimedStep } from './step-claims';

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

export type StartResult =
  | { created: true; id: string; claimed: ClaimedStep[]; drained: boolean }
  | { created: false; id: string; requestHash: string | null };

/** A worker of this process that takes the new execution's first steps in the start's own statement. */
export interface StartClaim {
  workerId: string;
  /** How many steps it has room for (handler slots and prefetch left). */
  limit: number;
  leaseSeconds: number;
  /** TENANT_MAX_RUNNING_STEPS: the cap of a tenant without a `tenant_quotas` row. */
  tenantMaxRunningSteps: number;
  /** The worker's cache of execution inputs. */
  inputs: ExecutionInputsCache;
}

const START = `
SELECT execution, id, execution_id, tenant_id, step_id, item_index, type, attempt, wait_kind, wait_key, resume, available_at, was,
       workflow_id, workflow_version, inputs
FROM cognitionos_start_execution($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                                 $18::text, $19::integer, $20::float8, $21::integer, $22::uuid[])`;

/**
 * Writes a new execution, one row per step (roots runnable at once, the others counting their
 * dependencies) and its WorkflowExecutionStarted event, in one statement (`cognitionos_start_execution`,
 * migration 1764150860000-start-claims), joining the caller's transaction if there is one. With a
 * `claim`, the same statement claims for that worker (the fair claim, as its own claim loop would;
 * when nothing is queued before them, the roots are written claimed: migration
 * 1764150880000-start-direct-claims) and the workers are woken only if it filled its room
 * (`drained` false); without one they are woken (NOTIFY at commit). With an idempotency key already
 * used, writes nothing and returns the first.
 */
export async function insertExecution(sql: Sql, e: NewExecution, claim?: StartClaim): Promise<StartResult> {
  const id = newId();
  const steps = e.plan.stepList;
  const rows = await sql(
    START,
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
      claim?.workerId ?? null,
      claim?.limit ?? 0,
      claim?.leaseSeconds ?? 0,
      claim?.tenantMaxRunningSteps ?? 0,
      claim ? claim.inputs.known() : [],
    ],
    'cognitionos_start_execution',
  );
  if (rows.length === 0) {
    const [first] = await sql<{ id: string; request_hash: string | null }>(
      `SELECT id, request_hash FROM workflow_executions WHERE tenant_id = $1 AND idempotency_key = $2`,
      [e.tenantId, e.idempotencyKey],
    );
    return { created: false, id: first.id, requestHash: first.request_hash };
  }
  const claimedRows = rows.filter((r) => r.id !== null);
  const claimed = claim && claimedRows.length ? await claimedSteps(sql, claimedRows, claim.inputs) : [];
  return { created: true, id, claimed, drained: !!claim && claimed.length < claim.limit };
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
