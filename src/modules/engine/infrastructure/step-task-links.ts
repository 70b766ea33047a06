import { Sql } from './sql';

/** Records on an `agent_task` step which task (and, once assigned, which agent) works on it. */
export async function linkStepToTask(sql: Sql, stepExecutionId: string, taskId: string, agentId: string | null): Promise<void> {
  await sql(`UPDATE step_executions SET task_id = $2, agent_id = COALESCE($3, agent_id) WHERE id = $1`, [stepExecutionId, taskId, agentId]);
}
