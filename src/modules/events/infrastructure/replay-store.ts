import { Injectable } from '@nestjs/common';
import { DEAD_LETTER_CTE } from '@cognition/platform/outbox/dead-letter-sql';
import type { DeliveryState, PendingRetry } from '@cognition/platform/outbox/durable-delivery';
import type { StoredEventRow } from '@cognition/platform/outbox/event-type.registry';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import type { HandlerFailureView, ReplayFilter, ReplayStatus, ReplayView } from '../contracts';
import { EVENT_COLUMNS } from './event-store-reads';
import { EventsSql } from './events-sql';
import type { StoreKey } from './store-key';

/** NOTIFY channel: a replay was asked for (every instance's runner wakes up). */
export const REPLAY_CHANNEL = 'cognitionos_replays';

export interface ReplayRow {
  id: string;
  tenant_id: string;
  subscriber: string;
  from_position: string | null;
  aggregate_id: string | null;
  event_type: string | null;
  upto_tx_id: string;
  upto_position: string;
  cursor_tx_id: string;
  cursor_position: string;
  status: ReplayStatus;
  delivered: number;
  dead_lettered: number;
  retry_event_id: string | null;
  retry_attempts: number;
  retry_at: Date | null;
  retry_error: HandlerFailureView | null;
  error: HandlerFailureView | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, tenant_id, subscriber, from_position::text AS from_position, aggregate_id, event_type,
  upto_tx_id::text AS upto_tx_id, upto_position::text AS upto_position, cursor_tx_id::text AS cursor_tx_id, cursor_position::text AS cursor_position,
  status, delivered, dead_lettered, retry_event_id, retry_attempts, retry_at, retry_error, error, created_at, started_at, finished_at`;

/** How long a runner owns a replay without saving progress before another instance may take it over. */
const LEASE_SECONDS = 60;

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function replayView(r: ReplayRow): ReplayView {
  const filter = r.from_position !== null ? { fromPosition: r.from_position } : r.aggregate_id !== null ? { aggregateId: r.aggregate_id } : { type: r.event_type! };
  return {
    id: r.id,
    subscriber: r.subscriber,
    filter,
    status: r.status,
    uptoPosition: r.upto_position,
    position: r.cursor_position,
    delivered: r.delivered,
    deadLettered: r.dead_lettered,
    retry:
      r.retry_event_id && r.retry_at
        ? { eventId: r.retry_event_id, attempts: r.retry_attempts, nextAttemptAt: new Date(r.retry_at).toISOString(), error: r.retry_error ?? { message: '' } }
        : null,
    error: r.error,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

export function deliveryStateOf(r: ReplayRow): DeliveryState {
  const retry: PendingRetry | null =
    r.retry_event_id && r.retry_at ? { eventId: r.retry_event_id, attempts: r.retry_attempts, at: new Date(r.retry_at), error: r.retry_error ?? { message: '' } } : null;
  return { cursor: { txId: r.cursor_tx_id, position: r.cursor_position }, retry };
}

/**
 * `subscription_replays`: each replay has its own cursor over the tenant's matching events, up to the
 * subscriber's checkpoint when it was asked for. Runners in any instance take a due replay with a
 * lease (`FOR UPDATE SKIP LOCKED`), save progress batch by batch, and renew the lease as they do.
 */
@Injectable()
@TimedRepository('subscription-replays')
export class ReplayStore {
  constructor(private readonly db: EventsSql) {}

  async create(id: string, tenantId: string, subscriber: string, filter: ReplayFilter, upto: StoreKey): Promise<ReplayRow> {
    const f = filter as { fromPosition?: string; aggregateId?: string; type?: string };
    const [row] = await this.db.sql<ReplayRow>(
      `WITH created AS (
         INSERT INTO subscription_replays (id, tenant_id, subscriber, from_position, aggregate_id, event_type, upto_tx_id, upto_position)
         VALUES ($1, $2, $3, $4::bigint, $5, $6, $7::xid8, $8::bigint) RETURNING ${COLUMNS}
       ), woken AS (SELECT pg_notify('${REPLAY_CHANNEL}', id::text) FROM created)
       SELECT created.* FROM created LEFT JOIN woken ON true`,
      [id, tenantId, subscriber, f.fromPosition ?? null, f.aggregateId ?? null, f.type ?? null, upto.txId, upto.position],
    );
    return row;
  }

  async get(tenantId: string, subscriber: string, id: string): Promise<ReplayRow | undefined> {
    const [row] = await this.db.sql<ReplayRow>(`SELECT ${COLUMNS} FROM subscription_replays WHERE id = $1 AND tenant_id = $2 AND subscriber = $3`, [id, tenantId, subscriber]);
    return row;
  }

  /** The oldest replay that is due (not finished, not leased by another runner, no retry pending), leased to `owner`. */
  async claim(owner: string): Promise<ReplayRow | undefined> {
    const [row] = await this.db.sql<ReplayRow>(
      `UPDATE subscription_replays
       SET status = 'running', started_at = COALESCE(started_at, now()), lease_owner = $1, lease_expires_at = now() + interval '${LEASE_SECONDS} seconds', updated_at = now()
       WHERE id = (
         SELECT id FROM subscription_replays
         WHERE status IN ('pending', 'running') AND (lease_expires_at IS NULL OR lease_expires_at < now() OR lease_owner = $1)
           AND (retry_at IS NULL OR retry_at <= now())
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [owner],
    );
    return row;
  }

  /** The next events of the replay after its cursor: the tenant's, of the subscriber's types, matching its filter, up to its end. */
  batch(r: ReplayRow, types: string[], limit: number): Promise<StoredEventRow[]> {
    const params: unknown[] = [r.tenant_id, types, r.cursor_tx_id, r.cursor_position, r.upto_tx_id, r.upto_position];
    const where = [
      'tenant_id = $1',
      'type = ANY($2::text[])',
      '(tx_id, position) > ($3::xid8, $4::bigint)',
      '(tx_id, position) <= ($5::xid8, $6::bigint)',
    ];
    if (r.from_position !== null) where.push(`position >= $${params.push(r.from_position)}::bigint`);
    if (r.aggregate_id !== null) where.push(`aggregate_id = $${params.push(r.aggregate_id)}`);
    if (r.event_type !== null) where.push(`type = $${params.push(r.event_type)}`);
    return this.db.sql<StoredEventRow>(`SELECT ${EVENT_COLUMNS} FROM domain_events WHERE ${where.join(' AND ')} ORDER BY domain_events.tx_id, domain_events.position LIMIT $${params.push(limit)}`, params);
  }

  /** Dead-letters an event of the replay and moves its cursor past it, in one statement (the lease must still be ours). */
  async deadLetter(replayId: string, owner: string, dlParams: unknown[], row: StoredEventRow): Promise<void> {
    await this.db.sql(
      `${DEAD_LETTER_CTE}
       UPDATE subscription_replays
       SET cursor_tx_id = $9::xid8, cursor_position = $4, dead_lettered = dead_lettered + 1,
           retry_event_id = NULL, retry_attempts = 0, retry_at = NULL, retry_error = NULL, updated_at = now()
       WHERE id = $10 AND lease_owner = $11`,
      [...dlParams, String(row.tx_id), replayId, owner],
    );
  }

  /**
   * Saves progress: cursor, delivered count, retry state; `done` completes the replay, `release`
   * gives up the lease (waiting for a retry, or shutting down). False when the lease was lost.
   */
  async save(replayId: string, owner: string, state: DeliveryState, delivered: number, done: boolean, release: boolean): Promise<boolean> {
    const r = state.retry;
    const rows = await this.db.sql(
      `UPDATE subscription_replays
       SET cursor_tx_id = $3::xid8, cursor_position = $4::bigint, delivered = delivered + $5,
           retry_event_id = $6, retry_attempts = $7, retry_at = $8, retry_error = $9::jsonb,
           status = CASE WHEN $10 THEN 'completed' ELSE status END, finished_at = CASE WHEN $10 THEN now() ELSE finished_at END,
           lease_owner = CASE WHEN $10 OR $11 THEN NULL ELSE lease_owner END,
           lease_expires_at = CASE WHEN $10 OR $11 THEN NULL ELSE now() + interval '${LEASE_SECONDS} seconds' END,
           updated_at = now()
       WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [replayId, owner, state.cursor.txId, state.cursor.position, delivered, r?.eventId ?? null, r?.attempts ?? 0, r?.at ?? null, r ? JSON.stringify(r.error) : null, done, release],
    );
    return rows.length === 1;
  }

  async fail(replayId: string, owner: string, error: HandlerFailureView): Promise<void> {
    await this.db.sql(
      `UPDATE subscription_replays SET status = 'failed', error = $3::jsonb, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = $1 AND lease_owner = $2`,
      [replayId, owner, JSON.stringify(error)],
    );
  }

  /** Hands back every replay this runner holds (at shutdown), for another instance to take at once. */
  async releaseAll(owner: string): Promise<void> {
    await this.db.sql(`UPDATE subscription_replays SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1 AND status IN ('pending', 'running')`, [owner]);
  }
}
