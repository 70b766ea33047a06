import { EventBus } from '@nestjs/cqrs';
import type { Client } from 'pg';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import type { DeliveryCursor } from './durable-delivery';
import { EventTypeRegistry, StoredEventRow } from './event-type.registry';
import { readForSubscriber } from './subscriber-read';

/** A batch the live pass read (all that was due), for durable subscribers at its start to take instead of reading it again. */
export interface FreshRead {
  from: DeliveryCursor;
  /** The batch's events of `types`, whole, and its last event. */
  rows: StoredEventRow[];
  /** The types whose events `rows` holds whole (`all`: every event of the batch). */
  types: ReadonlySet<string> | 'all';
  /** How many events the batch had (fewer than a full batch). */
  scanned: number;
}

/** Whether a durable subscriber taking `wanted` can take a fresh read's rows as its own read. */
export function covers(held: FreshRead['types'], wanted: Iterable<string>): boolean {
  if (held === 'all') return true;
  for (const type of wanted) if (!held.has(type)) return false;
  return true;
}

/**
 * Whether an event published on the bus now reaches anyone: a handler, saga or subscriber on its
 * subject, or a publisher other than the bus's own in-memory one (a custom `eventPublisher`, or
 * events bridged elsewhere).
 */
export function hasListeners(bus: EventBus): boolean {
  const publisher = bus.publisher as { subject$?: unknown } | undefined;
  return publisher?.constructor?.name !== 'DefaultPubSub' || publisher.subject$ !== bus.subject$ || bus.subject$.observed;
}

const LISTENER_CAME = Symbol('listener came');

/**
 * The relay's live pass: every committed event after the live cursor, in the relay's order, to this
 * process's EventBus (READ_AFTER, `batch` at a time).
 *
 * When nothing in the process listens on the EventBus (no `@EventsHandler`, saga, subscriber or
 * custom publisher; the SSE streams subscribe only while open), publishing would reach no one: the
 * cursor then moves past each batch without reading its events. Only the events of the durable
 * subscribers' types come back whole, for them to take (`FreshRead`), and the rest is counted by
 * type for the metric. Reading, parsing and publishing every event was a third or more of the engine
 * process's CPU per single-step job (docs/benchmarks.md). A listener that subscribes while such a
 * batch is being read gets that batch: it is read again, whole, and published. What was passed
 * before it subscribed it does not need: the SSE stream reads its history after subscribing.
 */
export class LivePublication {
  /** What this process has published (or passed) up to; unknown until the head is read. */
  cursor?: DeliveryCursor;

  constructor(
    private readonly readAfter: string,
    private readonly batch: number,
    private readonly eventBus: EventBus,
    private readonly registry: EventTypeRegistry,
    private readonly metrics: MetricsService,
    /** Every event type a durable subscriber of this process takes (asked once, at the first pass). */
    private readonly subscribedTypes: () => ReadonlySet<string>,
  ) {}

  private durableTypes?: ReadonlySet<string>;

  /** Publishes what committed after the cursor. Returns what it read when that was one batch (all of it). */
  async publish(client: Client): Promise<FreshRead | undefined> {
    const from = { ...this.cursor! };
    if (!hasListeners(this.eventBus)) {
      const passed = await this.passUnheard(client, from);
      if (passed !== LISTENER_CAME) return passed;
    }
    for (let turn = 0; ; turn++) {
      const { rows } = await client.query<StoredEventRow>(this.readAfter, [this.cursor!.txId, this.cursor!.position]);
      for (const row of rows) {
        this.eventBus.publish(this.registry.fromRow(row));
        this.metrics.eventsPublished.inc({ type: row.type });
        this.cursor = { txId: row.tx_id, position: String(row.position) };
      }
      if (rows.length < this.batch) return turn === 0 ? { from, rows, types: 'all', scanned: rows.length } : undefined;
    }
  }

  private async passUnheard(client: Client, from: DeliveryCursor): Promise<FreshRead | undefined | typeof LISTENER_CAME> {
    const types = (this.durableTypes ??= this.subscribedTypes());
    for (let turn = 0; ; turn++) {
      const read = await readForSubscriber(client, this.cursor!, types, this.batch, { countTypes: true });
      if (hasListeners(this.eventBus)) return LISTENER_CAME;
      for (const [type, n] of read.counts!) this.metrics.eventsPublished.inc({ type }, n);
      const last = read.rows[read.rows.length - 1];
      if (last) this.cursor = { txId: last.tx_id, position: String(last.position) };
      if (read.scanned < this.batch) return turn === 0 ? { from, rows: read.rows, types, scanned: read.scanned } : undefined;
    }
  }
}
