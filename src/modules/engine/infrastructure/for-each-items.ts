import { StepRow } from '../domain/step-context';
import { Sql } from './sql';

/** Item rows inserted per statement when a forEach step expands (bounded statement size). */
export const ITEM_INSERT_CHUNK = 1000;

/**
 * The stored items of forEach item rows, by step execution id. An id whose row stores no item (a
 * row created before items were stored) is absent from the map: its runner evaluates the list.
 */
export async function loadForEachItems(sql: Sql, ids: string[]): Promise<Map<string, unknown>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: string; item: unknown }>(
    `SELECT id, item FROM step_executions WHERE id = ANY($1::uuid[]) AND item IS NOT NULL`,
    [ids],
    'cognitionos_foreach_items',
  );
  return new Map(rows.map((r) => [r.id, r.item]));
}

/** The finished steps (not items) of one execution: the context a forEach list expression reads. */
export async function loadStepRows(sql: Sql, executionId: string): Promise<StepRow[]> {
  return sql<StepRow>(
    `SELECT step_id, status, output FROM step_executions
     WHERE execution_id = $1 AND item_index IS NULL AND status IN ('completed', 'skipped', 'failed')`,
    [executionId],
  );
}
