import { Injectable } from '@nestjs/common';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import type { HandlerFailureView } from '../contracts';
import { EventsSql } from './events-sql';

/** `pg_locks` has the relay's session advisory lock of the subscriber (outbox.relay.ts takes `hashtext('cognitionos.subscriber.<name>')`). */
export const SERVED = `EXISTS (
  SELECT 1 FROM pg_locks l
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid::bigint = ((hashtext('cognitionos.subscriber.' || $1::text)::bigint >> 32) & 4294967295)
    AND l.objid::bigint = (hashtext('cognitionos.subscriber.' || $1::text)::bigint & 4294967295))`;

export interface SubscriberStatsRow {
  tx_id: string;
  position: string;
  updated_at: Date | null;
  retry_event_id: string | null;
  retry_attempts: number;
  retry_at: Date | null;
  retry_error: HandlerFailureView | null;
  /** The failing event is the tenant's. */
  retry_is_ours: boolean;
  lag: number;
  dead: number;
  served: boolean;
}

/**
 * One subscriber as a tenant sees it, in one statement: its checkpoint (a subscriber that never ran
 * has none: position 0), the tenant's events of its types after the checkpoint (counted up to
 * `lagCap`, through `idx_domain_events_tenant_order`), the tenant's open dead letters, and
 * whether an instance serves it.
 */
const STATS = `
  SELECT COALESCE(s.last_tx_id, '0')::text AS tx_id, COALESCE(s.last_position, 0)::text AS position, s.updated_at,
         s.retry_event_id, COALESCE(s.retry_attempts, 0) AS retry_attempts, s.retry_at, s.retry_error,
         COALESCE((SELECT e.tenant_id = $2 FROM domain_events e WHERE e.id = s.retry_event_id), false) AS retry_is_ours,
         (SELECT count(*)::int FROM (
            SELECT 1 FROM domain_events e
            WHERE e.tenant_id = $2 AND e.type = ANY($3::text[])
              AND (e.tx_id, e.position) > (COALESCE(s.last_tx_id, '0'), COALESCE(s.last_position, 0))
            LIMIT $4) counted) AS lag,
         (SELECT count(*)::int FROM dead_letters d WHERE d.tenant_id = $2 AND d.subscriber = $1 AND d.status = 'dead') AS dead,
         ${SERVED} AS served
  FROM (SELECT $1::text AS name) n LEFT JOIN event_subscriptions s ON s.name = n.name`;

@Injectable()
@TimedRepository('event-subscriptions')
export class SubscriptionReads {
  constructor(private readonly db: EventsSql) {}

  async stats(tenantId: string, name: string, types: string[], lagCap: number): Promise<SubscriberStatsRow> {
    const [row] = await this.db.sql<SubscriberStatsRow>(STATS, [name, tenantId, types, lagCap]);
    return row;
  }

  /** The subscriber's live checkpoint ((0, 0) before it ever ran). */
  async checkpoint(name: string): Promise<{ txId: string; position: string }> {
    const [row] = await this.db.sql<{ tx_id: string; position: string }>(
      `SELECT last_tx_id::text AS tx_id, last_position::text AS position FROM event_subscriptions WHERE name = $1`,
      [name],
    );
    return row ? { txId: row.tx_id, position: row.position } : { txId: '0', position: '0' };
  }
}
