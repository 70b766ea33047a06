import type { Client } from 'pg';
import type { DeliveryCursor } from './durable-delivery';
import type { StoredEventRow } from './event-type.registry';

/**
 * A durable subscriber's read: the next `batch` committed events after its cursor (the relay's
 * order and visibility horizon, as READ_AFTER), of which only the events of the subscriber's types
 * come back, plus the last one read whatever its type (so the cursor can move past the rest).
 *
 * Most subscribers take a few types (the engine's take agent-task events): sending and parsing
 * every row of every batch for each of them was most of the relay's CPU under a steady stream of
 * workflow events. PostgreSQL still walks the same `batch` rows of `idx_domain_events_tx` in order;
 * only the rows it sends change. The last row's payload is left out unless it is of the types.
 *
 * With `countTypes`, the last row also carries the types of every event read (`types_read`,
 * comma-separated: event type names are identifiers): the relay counts what it passes without
 * reading it. A per-type count in SQL (`count(*) OVER (PARTITION BY type)`) sorts the batch's whole
 * rows, payloads included: 1–2 ms more per read of 500; the aggregate over the whole batch shares
 * the window of `scanned` and costs no sort.
 *
 * `lead(...) IS NULL` marks the last row in (tx_id, position) order; the window is ordered as the
 * inner scan already is, so it adds no sort. ORDER BY names the table's columns (xid8, not the text
 * output column: see READ_AFTER).
 */
function subscriberReadSql(batch: number, countTypes: boolean): string {
  return `
  SELECT id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id,
         CASE WHEN wanted THEN payload END AS payload, occurred_at, correlation_id, scanned,
         CASE WHEN last THEN types_read END AS types_read
  FROM (
    SELECT e.*, e.type = ANY($3::text[]) AS wanted, count(*) OVER () AS scanned,
           ${countTypes ? `string_agg(e.type, ',') OVER ()` : 'NULL::text'} AS types_read,
           lead(e.position) OVER (ORDER BY e.tx_id, e.position) IS NULL AS last
    FROM (
      SELECT id, position, tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id
      FROM domain_events
      WHERE (tx_id, position) > ($1::xid8, $2::bigint)
        AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY domain_events.tx_id, domain_events.position
      LIMIT ${Number(batch)}
    ) e
  ) s
  WHERE wanted OR last
  ORDER BY s.tx_id, s.position`;
}

export interface SubscriberRead {
  /** The subscriber's events in order, then the last event read if it is not one of them. */
  rows: StoredEventRow[];
  /** How many events were read (the batch is full when it equals the batch size: there may be more). */
  scanned: number;
  /** With `countTypes`: how many events of each type were read. */
  counts?: Map<string, number>;
}

type ReadRow = StoredEventRow & { scanned: string; types_read: string | null };

/** Reads the next `batch` events after `cursor` for a subscriber taking `types` (see subscriberReadSql). */
export async function readForSubscriber(client: Client, cursor: DeliveryCursor, types: Iterable<string>, batch: number, options: { countTypes?: boolean } = {}): Promise<SubscriberRead> {
  const countTypes = options.countTypes === true;
  const { rows } = await client.query<ReadRow>(subscriberReadSql(batch, countTypes), [cursor.txId, cursor.position, [...types]]);
  const read: SubscriberRead = { rows, scanned: rows.length ? Number(rows[0].scanned) : 0 };
  if (countTypes) read.counts = countOf(rows.length ? rows[rows.length - 1].types_read : null);
  return read;
}

function countOf(typesRead: string | null): Map<string, number> {
  const counts = new Map<string, number>();
  if (typesRead) for (const type of typesRead.split(',')) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}
