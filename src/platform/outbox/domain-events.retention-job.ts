import { Injectable, Optional } from '@nestjs/common';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from '@cognition/platform/retention/retention-job';
import { OutboxRelay } from './outbox.relay';

interface Key {
  txId: string;
  position: string;
}

/**
 * One batch of the walk over the outbox in the relay's order, from `after` up to the bound: the
 * batch's events that occurred before the cutoff are deleted (in a dry run, only counted — $7),
 * except those an open dead letter names (retrying it needs the event). Returns how many were
 * scanned, aged (before the cutoff) and old (aged and deletable), how many were deleted, and the
 * key of the last one scanned.
 */
const BATCH = `
WITH batch AS (
  SELECT position, tx_id, occurred_at FROM domain_events
  WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND (tx_id, position) <= ($3::xid8, $4::bigint)
  ORDER BY domain_events.tx_id, domain_events.position
  LIMIT $5
), aged AS (
  SELECT position FROM batch WHERE occurred_at < $6
), old AS (
  SELECT position FROM aged WHERE position NOT IN (SELECT position FROM dead_letters WHERE status = 'dead')
), gone AS (
  DELETE FROM domain_events d USING old WHERE NOT $7::boolean AND d.position = old.position RETURNING 1
), last AS (
  SELECT tx_id::text AS tx_id, position::text AS position FROM batch ORDER BY batch.tx_id DESC, batch.position DESC LIMIT 1
)
SELECT (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM aged)::int AS aged, (SELECT count(*) FROM old)::int AS old,
       (SELECT count(*) FROM gone)::int AS deleted, (SELECT tx_id FROM last) AS last_tx, (SELECT position FROM last) AS last_position`;

/**
 * Published outbox events (`domain_events`) older than EVENT_RETENTION_DAYS. An event goes only
 * once everything that reads the outbox in order has passed it:
 * - every row of `event_subscriptions` — the durable subscribers' checkpoints and the broker
 *   relays' (`broker:*` rows): only events at or behind the lowest checkpoint `(tx_id, position)`;
 * - every replay in progress (`subscription_replays` pending or running: its own cursor);
 * - this process's live relay (its cursor; nothing is pruned until it has read the outbox head).
 * With no checkpoint at all nothing is known to be delivered, and nothing is pruned. An event an
 * open dead letter names is kept whatever its age (retrying the dead letter needs it).
 *
 * The walk goes in `(tx_id, position)` order (the index the relay reads) from the start up to that
 * bound, a batch at a time; in each batch the events that occurred before the cutoff are deleted
 * (one short statement), the rest are kept. It stops at the bound or at a batch with no old event
 * at all: the order follows time, so what comes after is newer (an old event stuck behind a young
 * one goes in a later run). Deleting events takes no lock anyone waits for: nothing else updates or
 * locks outbox rows, and readers keep their snapshot.
 */
@Injectable()
@RetentionJob({
  name: 'events',
  setting: 'EVENT_RETENTION_DAYS',
  unit: 'days',
  description: 'published outbox events older than the setting, at or behind every checkpoint in event_subscriptions and the live relay',
})
export class DomainEventsRetentionJob implements RetentionJobHandler {
  constructor(@Optional() private readonly relay?: OutboxRelay) {}

  async prune(run: RetentionRun): Promise<RetentionResult> {
    const bound = await this.bound(run);
    if ('none' in bound) return { rows: { domain_events: 0 }, note: bound.none };
    let after: Key = { txId: '0', position: '0' };
    let total = 0;
    for (;;) {
      const [b] = await run.db.query<{ scanned: number; aged: number; old: number; deleted: number; last_tx: string | null; last_position: string | null }>(BATCH, [
        after.txId,
        after.position,
        bound.txId,
        bound.position,
        run.batchSize,
        run.cutoff,
        run.dryRun,
      ]);
      total += run.dryRun ? b.old : b.deleted;
      if (b.scanned < run.batchSize || b.aged === 0 || !b.last_tx || !b.last_position) break;
      after = { txId: b.last_tx, position: b.last_position };
      if (!(await run.next())) break;
    }
    return { rows: { domain_events: total }, note: bound.note };
  }

  /** The highest key every reader has passed, and who sets it. */
  private async bound(run: RetentionRun): Promise<(Key & { note: string }) | { none: string }> {
    const [lowest] = await run.db.query<{ name: string; tx_id: string; position: string }>(
      `SELECT name, last_tx_id::text AS tx_id, last_position::text AS position FROM event_subscriptions
       ORDER BY event_subscriptions.last_tx_id, last_position, name LIMIT 1`,
    );
    if (!lowest) return { none: 'event_subscriptions has no checkpoint yet: nothing is known to be delivered' };
    let bound: Key & { note: string } = { txId: lowest.tx_id, position: lowest.position, note: `kept ahead of the lowest checkpoint, "${lowest.name}" at (${lowest.tx_id}, ${lowest.position})` };
    // A replay in progress re-delivers old events from its own cursor: nothing it has still to read goes.
    const [replay] = await run.db.query<{ id: string; subscriber: string; tx_id: string; position: string }>(
      `SELECT id, subscriber, cursor_tx_id::text AS tx_id, cursor_position::text AS position FROM subscription_replays
       WHERE status IN ('pending', 'running') ORDER BY subscription_replays.cursor_tx_id, cursor_position LIMIT 1`,
    );
    if (replay && compare(replay, bound) < 0) {
      bound = { txId: replay.tx_id, position: replay.position, note: `kept ahead of replay ${replay.id} of "${replay.subscriber}" at (${replay.tx_id}, ${replay.position})` };
    }
    if (this.relay) {
      const live = this.relay.liveCursor;
      if (!live) return { none: 'the live relay has not read the outbox head yet' };
      if (compare(live, bound) < 0) bound = { ...live, note: `kept ahead of this process's live relay at (${live.txId}, ${live.position})` };
    }
    return bound;
  }
}

function compare(a: Key | { tx_id: string; position: string }, b: Key): number {
  if ('tx_id' in a) return compare({ txId: a.tx_id, position: a.position }, b);
  const tx = BigInt(a.txId) - BigInt(b.txId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const p = BigInt(a.position) - BigInt(b.position);
  return p === 0n ? 0 : p < 0n ? -1 : 1;
}
