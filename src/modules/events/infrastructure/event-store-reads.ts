import { Injectable } from '@nestjs/common';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import type { StoredEventRow } from '@cognition/platform/outbox/event-type.registry';
import type { EventListFilter } from '../contracts';
import { EventsSql } from './events-sql';
import type { StoreKey } from './store-key';

/** The columns of a stored event; `tx_id` as text, so ORDER BY must name `domain_events.tx_id` (the bare name is this text column). */
export const EVENT_COLUMNS = `id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id`;

/**
 * Reads of the event store (`domain_events`). A tenant's events are listed in the relay's order,
 * `(tx_id, position)`, and only below the visibility horizon (transactions older than every one
 * still running): a page boundary is then final — no event can commit behind it later.
 * Served by `idx_domain_events_tenant_order (tenant_id, tx_id, position)`.
 */
@Injectable()
@TimedRepository('event-store')
export class EventStoreReads {
  constructor(private readonly db: EventsSql) {}

  /** Where the tenant's event at `position` sits in the store, if the tenant has one there. */
  async keyOf(tenantId: string, position: string): Promise<StoreKey | undefined> {
    const [row] = await this.db.sql<{ tx_id: string; position: string }>(
      `SELECT tx_id::text AS tx_id, position::text AS position FROM domain_events WHERE position = $1::bigint AND tenant_id = $2`,
      [position, tenantId],
    );
    return row ? { txId: row.tx_id, position: row.position } : undefined;
  }

  /** One event by id (any tenant's: the callers have checked whose it is). */
  async byId(id: string): Promise<StoredEventRow | undefined> {
    const [row] = await this.db.sql<StoredEventRow>(`SELECT ${EVENT_COLUMNS} FROM domain_events WHERE id = $1`, [id]);
    return row;
  }

  /** Up to `limit` of the tenant's events strictly after every key in `after`, oldest first. */
  async list(tenantId: string, filter: Omit<EventListFilter, 'after'>, after: StoreKey[], limit: number): Promise<StoredEventRow[]> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1', 'tx_id < pg_snapshot_xmin(pg_current_snapshot())'];
    for (const key of after) where.push(`(tx_id, position) > ($${params.push(key.txId)}::xid8, $${params.push(key.position)}::bigint)`);
    if (filter.type !== undefined) where.push(`type = $${params.push(filter.type)}`);
    if (filter.aggregateType !== undefined) where.push(`aggregate_type = $${params.push(filter.aggregateType)}`);
    if (filter.aggregateId !== undefined) where.push(`aggregate_id = $${params.push(filter.aggregateId)}`);
    if (filter.from !== undefined) where.push(`occurred_at >= $${params.push(filter.from)}`);
    if (filter.to !== undefined) where.push(`occurred_at < $${params.push(filter.to)}`);
    return this.db.sql<StoredEventRow>(`SELECT ${EVENT_COLUMNS} FROM domain_events WHERE ${where.join(' AND ')} ORDER BY domain_events.tx_id, domain_events.position LIMIT $${params.push(limit)}`, params);
  }
}
