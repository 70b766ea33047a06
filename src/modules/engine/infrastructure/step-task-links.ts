import { Sql } from './sql';

/**
 * Records on an `agent_task` step which task (and, once assigned, which agent) works on it.
 * Idempotent under replays: a step's later attempt creates a later task (task ids are UUIDv7s), so
 * an older task's events, delivered again, never take the step back to it.
 */
export async function linkStepToTask(sql: Sql, stepExecutionId: string, taskId: string, agentId: string | null): Promise<void> {
  await sql(`UPDATE step_executions SET task_id = $2, agent_id = COALESCE($3, agent_id) WHERE id = $1 AND (task_id IS NULL OR task_id <= $2::uuid)`, [
    stepExecutionId,
    taskId,
    agentId,
  ]);
}
