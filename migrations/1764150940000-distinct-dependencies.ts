import { MigrationInterface, QueryRunner } from 'typeorm';
import { CAPPED_LOCK_FUNCTION } from './1764150920000-capped-tenant-lock';

/**
 * `cognitionos_complete_steps` takes one dependency off a dependent per completed step, not per
 * result in the batch.
 *
 * After a database outage a worker's leases can expire while it still runs their steps: the lease
 * reaper makes such a step pending, the same worker claims it again (attempt 2, the same lease
 * owner), and the results of both attempts can reach the database in one batch. The step's row was
 * updated once, but the dependents were counted from the batch's dependency list, which had the step
 * twice: a dependent waiting for it went from 1 to -1, and a step with -1 dependencies left is never
 * runnable, so its execution hung (seen in CI: five of forty executions in the database-outage e2e).
 * The count is now of distinct completed steps. The writers also keep only the latest attempt of a
 * step in a batch (`latestAttemptPerStep`), so the output written is that attempt's.
 */
export class DistinctDependencies1764150940000 implements MigrationInterface {
  name = 'DistinctDependencies1764150940000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(DISTINCT_DEPENDENCIES_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(CAPPED_LOCK_FUNCTION);
  }
}

const COUNTED_PER_RESULT = `    SELECT d.execution_id, d.step_id, count(*)::integer AS n
    FROM unnest(p_dep_from, p_dep_execution, p_dep_step) AS d(from_id, execution_id, step_id)`;
const COUNTED_PER_STEP = `    SELECT d.execution_id, d.step_id, count(DISTINCT d.from_id)::integer AS n
    FROM unnest(p_dep_from, p_dep_execution, p_dep_step) AS d(from_id, execution_id, step_id)`;

function withDistinctDependencies(fn: string): string {
  if (fn.split(COUNTED_PER_RESULT).length !== 2) throw new Error('migration 1764150940000: the dependency count is not found exactly once in cognitionos_complete_steps');
  return fn.replace(COUNTED_PER_RESULT, COUNTED_PER_STEP);
}

export const DISTINCT_DEPENDENCIES_FUNCTION = withDistinctDependencies(CAPPED_LOCK_FUNCTION);
