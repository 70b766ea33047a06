import { newId } from '@cognition/platform/ids/uuid';
import { Sql } from './sql';

interface EventRow {
  tenantId: string;
  type: string;
  aggregateId: string;
  payload: unknown;
}

/**
 * Collects execution events during a batch and writes them with one INSERT, in the batch's
 * transaction (the transactional outbox, without an object per event on the hot path).
 */
export class EventRows {
  private readonly rows: EventRow[] = [];

  add(tenantId: string, type: string, aggregateId: string, payload: unknown): void {
    this.rows.push({ tenantId, type, aggregateId, payload });
  }

  count(type: string): number {
    return this.rows.filter((r) => r.type === type).length;
  }

  get size(): number {
    return this.rows.length;
  }

  async flush(sql: Sql, aggregateType = 'WorkflowExecution'): Promise<void> {
    if (this.rows.length === 0) return;
    const now = new Date();
    await sql(
      `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
       SELECT id, tenant_id, type, $6, aggregate_id, payload, $7
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[]) AS v(id, tenant_id, type, aggregate_id, payload)`,
      [
        this.rows.map(() => newId()),
        this.rows.map((r) => r.tenantId),
        this.rows.map((r) => r.type),
        this.rows.map((r) => r.aggregateId),
        this.rows.map((r) => JSON.stringify(r.payload ?? null)),
        aggregateType,
        now,
      ],
      'cognitionos_insert_events',
    );
    this.rows.length = 0;
  }
}
