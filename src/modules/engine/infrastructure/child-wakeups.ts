import { Sql } from './sql';

const WAKE = `
  UPDATE step_executions s
  SET resume = jsonb_build_object('reason', 'child', 'payload',
        jsonb_build_object('executionId', e.id, 'status', e.status, 'outputs', e.outputs, 'error', e.error)),
      available_at = now(), updated_at = now()
  FROM workflow_executions e
  WHERE s.status = 'waiting' AND s.wait_kind = 'child' AND s.resume IS NULL
    AND e.id = s.wait_key::uuid AND e.status IN ('completed', 'failed', 'cancelled')`;

/**
 * A sub_workflow step whose child already ended is woken at once. The finalizer wakes parents as
 * their children end; this covers a child that ended before its parent step was recorded waiting.
 */
export async function wakeStepsOfFinishedChildren(sql: Sql, stepExecutionIds?: string[]): Promise<boolean> {
  const rows = stepExecutionIds ? await sql(`${WAKE} AND s.id = ANY($1::uuid[]) RETURNING s.id`, [stepExecutionIds]) : await sql(`${WAKE} RETURNING s.id`);
  return rows.length > 0;
}
