import { Sql } from './sql';

/**
 * Signals sent before their step started waiting are kept in `execution_signals`; when a step
 * starts waiting for one, the oldest unconsumed signal of that name wakes it at once.
 * Both sides lock the execution (lockSignalsOf, before touching rows) so a signal and a wait never
 * miss each other.
 */
export async function deliverBufferedSignals(sql: Sql, steps: { id: string; executionId: string; name: string }[]): Promise<boolean> {
  let delivered = false;
  for (const step of steps) {
    const [signal] = await sql(
      `UPDATE execution_signals SET consumed_at = now()
       WHERE id = (SELECT id FROM execution_signals WHERE execution_id = $1 AND name = $2 AND consumed_at IS NULL ORDER BY created_at LIMIT 1)
       RETURNING payload`,
      [step.executionId, step.name],
    );
    if (!signal) continue;
    await sql(`UPDATE step_executions SET resume = $2, available_at = now() WHERE id = $1 AND status = 'waiting'`, [
      step.id,
      JSON.stringify({ reason: 'signal', payload: signal.payload }),
    ]);
    delivered = true;
  }
  return delivered;
}

export async function lockSignalsOf(sql: Sql, executionIds: string[]): Promise<void> {
  for (const id of [...new Set(executionIds)].sort()) await sql(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`signals:${id}`]);
}

/** Records a signal and wakes the step waiting for it, if any (else it waits in the buffer). */
export async function sendSignal(sql: Sql, tenantId: string, executionId: string, name: string, payload: unknown, id: string): Promise<{ delivered: boolean }> {
  await lockSignalsOf(sql, [executionId]);
  const [waiting] = await sql(
    `SELECT id FROM step_executions WHERE execution_id = $1 AND status = 'waiting' AND wait_kind = 'signal' AND wait_key = $2 AND resume IS NULL
     ORDER BY created_at LIMIT 1 FOR UPDATE`,
    [executionId, name],
  );
  await sql(`INSERT INTO execution_signals (id, execution_id, tenant_id, name, payload, consumed_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    id,
    executionId,
    tenantId,
    name,
    JSON.stringify(payload ?? null),
    waiting ? new Date() : null,
  ]);
  if (!waiting) return { delivered: false };
  await sql(`UPDATE step_executions SET resume = $2, available_at = now() WHERE id = $1`, [waiting.id, JSON.stringify({ reason: 'signal', payload: payload ?? null })]);
  await sql(`SELECT pg_notify('cognitionos_steps', '')`);
  return { delivered: true };
}
