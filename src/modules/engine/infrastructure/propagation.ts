import { EventRows } from './event-rows';
import { finalizeExecutions } from './execution-finalizer';
import { Sql } from './sql';
import { stepPayload, TerminalStep } from './step-result';

type Counts = Map<string, { executionId: string; stepId: string; n: number }>;

function count(map: Counts, executionId: string, stepId: string): void {
  const key = `${executionId}|${stepId}`;
  const entry = map.get(key);
  if (entry) entry.n++;
  else map.set(key, { executionId, stepId, n: 1 });
}

/** A step whose last dependency this transaction completed: runnable now. */
export interface UnlockedStep {
  id: string;
  tenantId: string;
}

export interface Propagation {
  /** Whether new work may have become runnable (dependents unlocked, or executions woken). */
  runnable: boolean;
  /** The steps made runnable by unlocking their dependencies (their rows are locked by this transaction). */
  unlocked: UnlockedStep[];
  /** Whether finished executions woke something else (a parent step waiting for its child). */
  woke: boolean;
}

/**
 * Follows final step outcomes through the DAG, level by level, in the caller's transaction:
 * completed and skipped steps unlock their dependents; a failed step skips everything downstream
 * (UPSTREAM_FAILED); forEach items complete or fail their step; then executions with no step left
 * are finalized.
 */
export async function propagate(sql: Sql, terminal: TerminalStep[], events: EventRows): Promise<Propagation> {
  let queue = terminal;
  let runnable = false;
  const unlocked: UnlockedStep[] = [];
  const finished = new Map<string, { tenantId: string; n: number; error: unknown; plan: TerminalStep['plan'] }>();
  const plans = new Map(terminal.map((t) => [t.executionId, t.plan]));
  while (queue.length) {
    const unlock: Counts = new Map();
    const itemsDone: Counts = new Map();
    const itemsFailed: TerminalStep[] = [];
    const downstream: { executionId: string; stepId: string }[] = [];
    for (const t of queue) {
      if (t.itemIndex !== null) {
        if (t.status === 'failed') itemsFailed.push(t);
        else if (t.status !== 'cancelled') count(itemsDone, t.executionId, t.stepId);
        continue;
      }
      const exec = finished.get(t.executionId) ?? { tenantId: t.tenantId, n: 0, error: null, plan: t.plan };
      exec.n++;
      finished.set(t.executionId, exec);
      if (t.status === 'completed' || t.status === 'skipped') {
        for (const dependent of t.plan.dependents.get(t.stepId) ?? []) count(unlock, t.executionId, dependent);
      } else {
        exec.error ??= { code: t.error?.code ?? 'STEP_FAILED', message: t.error?.message ?? `step ${t.stepId} ${t.status}`, stepId: t.stepId };
        for (const stepId of t.plan.downstreamOf(t.stepId)) downstream.push({ executionId: t.executionId, stepId });
      }
    }
    const next: TerminalStep[] = [];
    if (unlock.size) {
      const rows = [...unlock.values()];
      const counted = await sql<{ id: string; tenant_id: string; deps_remaining: number }>(
        `UPDATE step_executions s SET deps_remaining = s.deps_remaining - v.n, available_at = now(), updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::int[]) AS v(execution_id, step_id, n)
         WHERE s.execution_id = ANY($1::uuid[]) AND s.execution_id = v.execution_id AND s.step_id = v.step_id AND COALESCE(s.item_index, -1) = -1 AND s.status = 'pending'
         RETURNING s.id, s.tenant_id, s.deps_remaining`,
        [rows.map((r) => r.executionId), rows.map((r) => r.stepId), rows.map((r) => r.n)],
        // Not named: planned on each call (a kept plan, made while the table was small, scans it whole).
      );
      for (const r of counted) if (r.deps_remaining <= 0) unlocked.push({ id: r.id, tenantId: r.tenant_id });
      runnable = true;
    }
    if (downstream.length) {
      const skipped = await sql(
        `UPDATE step_executions s SET status = 'skipped', skip_reason = 'UPSTREAM_FAILED', completed_at = now(), updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS v(execution_id, step_id)
         WHERE s.execution_id = ANY($1::uuid[]) AND s.execution_id = v.execution_id AND s.step_id = v.step_id AND COALESCE(s.item_index, -1) = -1 AND s.status IN ('pending', 'waiting')
         RETURNING s.id, s.execution_id, s.tenant_id, s.step_id, s.type, s.attempt`,
        [downstream.map((d) => d.executionId), downstream.map((d) => d.stepId)],
      );
      for (const s of skipped) {
        finished.get(s.execution_id)!.n++;
        const step = { executionId: s.execution_id, stepExecutionId: s.id, stepId: s.step_id, itemIndex: null, type: s.type, attempt: s.attempt };
        events.add(s.tenant_id, 'StepExecutionSkipped', s.execution_id, { ...stepPayload(step), reason: 'UPSTREAM_FAILED' });
      }
    }
    if (itemsDone.size) next.push(...(await completeForEachSteps(sql, [...itemsDone.values()], plans, events)));
    if (itemsFailed.length) next.push(...(await failForEachSteps(sql, itemsFailed, events)));
    queue = next;
  }
  const woke = await finalizeExecutions(sql, finished, events);
  return { runnable: runnable || woke, unlocked, woke };
}

/** Counts finished items; a forEach step whose items are all done completes with their outputs in order. */
async function completeForEachSteps(sql: Sql, done: { executionId: string; stepId: string; n: number }[], plans: Map<string, TerminalStep['plan']>, events: EventRows): Promise<TerminalStep[]> {
  const counted = await sql(
    `UPDATE step_executions p SET children_remaining = p.children_remaining - v.n, updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::int[]) AS v(execution_id, step_id, n)
     WHERE p.execution_id = ANY($1::uuid[]) AND p.execution_id = v.execution_id AND p.step_id = v.step_id AND COALESCE(p.item_index, -1) = -1
       AND p.status = 'waiting' AND p.wait_kind = 'children'
     RETURNING p.id, p.execution_id, p.children_remaining`,
    [done.map((d) => d.executionId), done.map((d) => d.stepId), done.map((d) => d.n)],
  );
  const complete = counted.filter((r) => r.children_remaining <= 0);
  if (complete.length === 0) return [];
  // The step's output is the list of its items' outputs, bounded like any output: over
  // STEP_OUTPUT_MAX_BYTES, the step fails with OUTPUT_TOO_LARGE instead.
  const rows = await sql(
    `WITH agg AS (
       SELECT v.id, v.max_bytes, a.output, octet_length(a.output::text) AS bytes
       FROM unnest($1::uuid[], $2::int[]) AS v(id, max_bytes)
       JOIN step_executions p ON p.id = v.id
       CROSS JOIN LATERAL (SELECT COALESCE(jsonb_agg(c.output ORDER BY c.item_index), '[]') AS output FROM step_executions c
                           WHERE c.execution_id = p.execution_id AND c.step_id = p.step_id AND c.item_index IS NOT NULL) a
     )
     UPDATE step_executions p SET
       status = CASE WHEN agg.bytes > agg.max_bytes THEN 'failed' ELSE 'completed' END,
       output = CASE WHEN agg.bytes > agg.max_bytes THEN NULL ELSE agg.output END,
       error = CASE WHEN agg.bytes > agg.max_bytes THEN jsonb_build_object(
                 'code', 'OUTPUT_TOO_LARGE',
                 'message', format('the output of step %s (the list of its %s items'' outputs) is %s bytes of JSON, more than the limit of %s (STEP_OUTPUT_MAX_BYTES)',
                                   p.step_id, jsonb_array_length(agg.output), agg.bytes, agg.max_bytes),
                 'details', jsonb_build_object('bytes', agg.bytes, 'limit', agg.max_bytes)) END,
       completed_at = now(), wait_kind = NULL, updated_at = now()
     FROM agg WHERE p.id = agg.id
     RETURNING p.id, p.execution_id, p.tenant_id, p.step_id, p.type, p.attempt, p.status, p.output, p.error`,
    [complete.map((r) => r.id), complete.map((r) => plans.get(r.execution_id)?.maxOutputBytes ?? 1_048_576)],
  );
  return rows.map((r) => {
    const step = { executionId: r.execution_id, stepExecutionId: r.id, stepId: r.step_id, itemIndex: null, type: r.type, attempt: r.attempt };
    if (r.status === 'failed') {
      events.add(r.tenant_id, 'StepExecutionFailed', r.execution_id, { ...stepPayload(step), error: r.error });
      return { ...step, tenantId: r.tenant_id, status: 'failed' as const, error: r.error, plan: plans.get(r.execution_id)! };
    }
    events.add(r.tenant_id, 'StepExecutionCompleted', r.execution_id, { ...stepPayload(step), output: r.output });
    return { ...step, tenantId: r.tenant_id, status: 'completed' as const, plan: plans.get(r.execution_id)! };
  });
}

/** A forEach item that failed for good fails its step; the step's other pending items are cancelled. */
async function failForEachSteps(sql: Sql, failed: TerminalStep[], events: EventRows): Promise<TerminalStep[]> {
  const first = new Map<string, TerminalStep>();
  for (const t of failed) if (!first.has(`${t.executionId}|${t.stepId}`)) first.set(`${t.executionId}|${t.stepId}`, t);
  const items = [...first.values()];
  const rows = await sql(
    `UPDATE step_executions p SET status = 'failed', error = v.error, completed_at = now(), wait_kind = NULL, updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS v(execution_id, step_id, error)
     WHERE p.execution_id = ANY($1::uuid[]) AND p.execution_id = v.execution_id AND p.step_id = v.step_id AND COALESCE(p.item_index, -1) = -1 AND p.status = 'waiting'
     RETURNING p.id, p.execution_id, p.tenant_id, p.step_id, p.type, p.attempt, p.error`,
    [items.map((t) => t.executionId), items.map((t) => t.stepId), items.map((t) => JSON.stringify({ ...t.error, itemIndex: t.itemIndex }))],
  );
  if (rows.length) {
    await sql(
      `UPDATE step_executions c SET status = 'cancelled', completed_at = now(), updated_at = now()
       FROM unnest($1::uuid[], $2::text[]) AS v(execution_id, step_id)
       WHERE c.execution_id = ANY($1::uuid[]) AND c.execution_id = v.execution_id AND c.step_id = v.step_id AND c.item_index IS NOT NULL AND c.status IN ('pending', 'waiting')`,
      [rows.map((r) => r.execution_id), rows.map((r) => r.step_id)],
    );
  }
  return rows.map((r) => {
    const step = { executionId: r.execution_id, stepExecutionId: r.id, stepId: r.step_id, itemIndex: null, type: r.type, attempt: r.attempt };
    events.add(r.tenant_id, 'StepExecutionFailed', r.execution_id, { ...stepPayload(step), error: r.error });
    const plan = failed.find((t) => t.executionId === r.execution_id)!.plan;
    return { ...step, tenantId: r.tenant_id, status: 'failed' as const, error: r.error, plan };
  });
}
