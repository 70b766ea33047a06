import { Injectable } from '@nestjs/common';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from './retention-job';
import { pruneInBatches } from './prune-in-batches';

/**
 * Every idempotency-key table — by convention a table named `<something>_idempotency_keys` with a
 * `created_at` column (today task_idempotency_keys and memory_idempotency_keys) — so a module that
 * adds one is covered without a change here. Keys are forgotten after IDEMPOTENCY_KEY_RETENTION_HOURS
 * (24 h, as payment APIs do): a request repeated later with the same key is a new request. The keys
 * the engine makes for its own steps (agent_task, memory_store) are only repeated within a lease
 * (seconds), so 24 h leaves them a wide margin. An execution's own Idempotency-Key is a column of the
 * execution and goes with it (the executions job).
 */
@Injectable()
@RetentionJob({
  name: 'idempotency-keys',
  setting: 'IDEMPOTENCY_KEY_RETENTION_HOURS',
  unit: 'hours',
  description: 'idempotency keys (every *_idempotency_keys table) older than the setting',
})
export class IdempotencyKeysRetentionJob implements RetentionJobHandler {
  async prune(run: RetentionRun): Promise<RetentionResult> {
    const tables = await run.db.query<{ name: string }>(
      `SELECT c.table_name AS name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = 'created_at'
         AND c.table_name LIKE '%\\_idempotency\\_keys'
       ORDER BY 1`,
    );
    const rows: Record<string, number> = {};
    for (const { name } of tables) {
      rows[name] = await pruneInBatches(run, { table: quoteIdent(name), where: 'created_at < $1', params: [run.cutoff], orderBy: 'created_at' });
    }
    return { rows };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
