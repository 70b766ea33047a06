import { LIMITS } from '@cognition/platform/limits/limits';
import { EagerClaim } from './eager-dispatch';
import { Sql } from './sql';
import { claimedSteps } from './step-claims';
import { latestAttemptPerStep, StepResult } from './step-result';
import type { WriteOutcome } from './step-results.writer';

type Completed = Extract<StepResult, { kind: 'completed' }>;

/**
 * Whether a batch takes the one-statement path: every result completed, none a forEach item or
 * holding a concurrency key, no workflow with `outputs` templates (evaluated in the process).
 * Everything else goes through writeStepResults, statement by statement.
 */
export function completesInOneStatement(results: StepResult[]): results is Completed[] {
  return results.length > 0 && results.every((r) => r.kind === 'completed' && r.claim.itemIndex === null && !r.claim.heldKey && !r.plan.outputs);
}

/**
 * The batch's transition in one statement, `cognitionos_complete_steps` (migration
 * 1764150800000-complete-steps): the steps completed under this worker's lease with their events,
 * dependents unlocked, executions counted and ended with their events (a waiting parent woken), the
 * unlocked steps handed off to this worker and, when more may be due, a claim through the queue.
 * One statement is one transaction: sent on its own (autocommit), it is one round trip.
 */
export async function completeSteps(sql: Sql, workerId: string, batch: Completed[], eager?: EagerClaim): Promise<WriteOutcome> {
  const results = latestAttemptPerStep(batch);
  const from: string[] = [];
  const executions: string[] = [];
  const dependents: string[] = [];
  for (const r of results) {
    for (const stepId of r.plan.dependents.get(r.claim.stepId) ?? []) {
      from.push(r.claim.id);
      executions.push(r.claim.executionId);
      dependents.push(stepId);
    }
  }
  const outputs = results.map((r) => r.serialized ?? (r.output === undefined ? null : JSON.stringify(r.output)));
  const [row] = await sql<{ outcome: { completed: number; failed: number; notify: boolean; drained: boolean; claimed: any[] } }>(
    `SELECT cognitionos_complete_steps($1::text, $2::uuid[], $3::jsonb[], $4::uuid[], $5::uuid[], $6::text[], $7::integer, $8::float8, $9::integer, $10::uuid[], $11::boolean) AS outcome`,
    [
      workerId,
      results.map((r) => r.claim.id),
      outputs.every((o) => o === null) ? null : outputs,
      from,
      executions,
      dependents,
      eager?.limit ?? 0,
      eager?.leaseSeconds ?? 0,
      eager?.tenantMaxRunningSteps ?? LIMITS.tenantRunningSteps.default,
      eager?.inputs?.known() ?? [],
      eager?.backlog !== false,
    ],
    'cognitionos_complete_steps',
  );
  const { completed, failed, notify, drained, claimed } = row.outcome;
  const rows = claimed.map((c) => ({ ...c, available_at: new Date(c.available_at) }));
  return { notify, drained, finished: { completed, failed }, claimed: await claimedSteps(sql, rows, eager?.inputs) };
}
