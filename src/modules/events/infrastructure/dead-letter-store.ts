import type { HandlerFailure } from '@cognition/platform/outbox/handler-failure';
import type { DeadLetterListFilter, DeadLetterStatus, DeadLetterView, HandlerFailureView } from '../contracts';
import type { Sql } from './events-sql';

export interface DeadLetterRow {
  id: string;
  subscriber: string;
  event_id: string;
  position: string;
  tenant_id: string;
  type: string;
  error: HandlerFailureView;
  attempts: number;
  status: DeadLetterStatus;
  created_at: Date;
  resolved_at: Date | null;
  retry_requested_at: Date | null;
}

const COLUMNS = `id, subscriber, event_id, position::text AS position, tenant_id, type, error, attempts, status, created_at, resolved_at, retry_requested_at`;

/** NOTIFY channel: a retry was asked for outside a process that runs subscribers (the CLI). */
export const DEAD_LETTER_RETRY_CHANNEL = 'cognitionos_dead_letters';

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function deadLetterView(r: DeadLetterRow): DeadLetterView {
  return {
    id: r.id,
    subscriber: r.subscriber,
    eventId: r.event_id,
    position: String(r.position),
    tenantId: r.tenant_id,
    type: r.type,
    error: r.error,
    attempts: r.attempts,
    status: r.status,
    createdAt: new Date(r.created_at).toISOString(),
    resolvedAt: iso(r.resolved_at),
    retryRequestedAt: iso(r.retry_requested_at),
  };
}

/**
 * `dead_letters` (written by the relay and replays, platform/outbox/dead-letter-sql.ts). Plain SQL
 * over a runner, so the app (its transaction host) and the CLI (its data source) share it. A null
 * tenant means every tenant's (operators, through the CLI); the API always passes one.
 */
export class DeadLetterStore {
  constructor(private readonly sql: Sql) {}

  /** Newest first (ids are UUIDv7), after the `before` id. */
  list(tenantId: string | null, filter: DeadLetterListFilter, before: string | undefined, limit: number): Promise<DeadLetterRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (tenantId !== null) where.push(`tenant_id = $${params.push(tenantId)}`);
    if (filter.subscriber !== undefined) where.push(`subscriber = $${params.push(filter.subscriber)}`);
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (before !== undefined) where.push(`id < $${params.push(before)}::uuid`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.sql<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters ${clause} ORDER BY id DESC LIMIT $${params.push(limit)}`, params);
  }

  async get(tenantId: string | null, id: string): Promise<DeadLetterRow | undefined> {
    const [row] = await this.sql<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`, [id, tenantId]);
    return row;
  }

  /** The retry delivered it: `retried`. Undefined when it was no longer dead (resolved meanwhile). */
  async markRetried(id: string): Promise<DeadLetterRow | undefined> {
    const [row] = await this.sql<DeadLetterRow>(
      `UPDATE dead_letters SET status = 'retried', resolved_at = now(), attempts = attempts + 1, retry_requested_at = NULL
       WHERE id = $1 AND status = 'dead' RETURNING ${COLUMNS}`,
      [id],
    );
    return row;
  }

  /** The retry failed: still dead, one more attempt, the new error. */
  async markFailed(id: string, failure: HandlerFailure): Promise<DeadLetterRow | undefined> {
    const [row] = await this.sql<DeadLetterRow>(
      `UPDATE dead_letters SET attempts = attempts + 1, error = $2::jsonb, retry_requested_at = NULL
       WHERE id = $1 AND status = 'dead' RETURNING ${COLUMNS}`,
      [id, JSON.stringify(failure)],
    );
    return row;
  }

  /** `discarded`, if it was dead. */
  async discard(tenantId: string | null, id: string): Promise<DeadLetterRow | undefined> {
    const [row] = await this.sql<DeadLetterRow>(
      `UPDATE dead_letters SET status = 'discarded', resolved_at = now(), retry_requested_at = NULL
       WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2) AND status = 'dead' RETURNING ${COLUMNS}`,
      [id, tenantId],
    );
    return row;
  }

  /** Asks a process that runs the subscriber to retry it (the CLI has no subscribers), and wakes those processes. */
  async requestRetry(id: string): Promise<DeadLetterRow | undefined> {
    const [row] = await this.sql<DeadLetterRow>(
      `WITH requested AS (
         UPDATE dead_letters SET retry_requested_at = now() WHERE id = $1 AND status = 'dead' RETURNING ${COLUMNS}
       ), woken AS (
         SELECT pg_notify('${DEAD_LETTER_RETRY_CHANNEL}', id::text) FROM requested
       )
       SELECT requested.* FROM requested LEFT JOIN woken ON true`,
      [id],
    );
    return row;
  }

  /** Takes up to `limit` requested retries (clearing the request), for this process to run. */
  async takeRequested(limit: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(
      `UPDATE dead_letters SET retry_requested_at = NULL
       WHERE id IN (SELECT id FROM dead_letters WHERE retry_requested_at IS NOT NULL AND status = 'dead'
                    ORDER BY retry_requested_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
