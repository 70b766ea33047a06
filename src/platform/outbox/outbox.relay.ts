import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { connectSession } from '@cognition/platform/database/pg-connection';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { PgListener } from '@cognition/platform/database/pg-listener';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { DEAD_LETTER_CTE, deadLetterParams } from './dead-letter-sql';
import { DeliveryState, DurableDelivery, keyOf } from './durable-delivery';
import { DurableSubscriber, DurableSubscribers } from './durable-subscribers';
import { EventTypeRegistry } from './event-type.registry';
import { HandlerFailure } from './handler-failure';
import { covers, FreshRead, LivePublication } from './live-publication';
import { readForSubscriber, SubscriberRead } from './subscriber-read';

export const OUTBOX_CHANNEL = 'cognitionos_events';
/** The relay's read (and its batch size), reused by the broker relay (platform/outbox/broker) rather than copied. */
export { BATCH, READ_AFTER };
const BATCH = 500;
/** Under a stream of commits, wake-ups coalesce: at most one drain per COALESCE_MS. */
const COALESCE_MS = 10;
/**
 * A checkpoint moved only past events its subscriber does not take is written at most this often
 * (and at shutdown): losing such a move in a crash only has those events read and skipped again.
 */
const SKIP_SAVE_MS = 1000;

/** A subscriber's checkpoint as the relay holding its lock knows it (no retry pending). */
interface KnownCheckpoint {
  cursor: Cursor;
  /** The cursor moved past events the subscriber does not take, and the table does not have it yet. */
  unsaved: boolean;
  savedAt: number;
}

const SAVE_CHECKPOINT = `
  UPDATE event_subscriptions SET last_tx_id = $2::xid8, last_position = $3, retry_event_id = $4, retry_attempts = $5, retry_at = $6, retry_error = $7::jsonb, updated_at = now()
  WHERE name = $1`;

interface Cursor {
  txId: string;
  position: string;
}

interface CheckpointRow {
  tx_id: string;
  position: string;
  retry_event_id: string | null;
  retry_attempts: number;
  retry_at: Date | null;
  retry_error: HandlerFailure | null;
}

/** A dead letter, and the subscriber's checkpoint moved past its event, in one statement. */
const DEAD_LETTER = `${DEAD_LETTER_CTE}
  UPDATE event_subscriptions
  SET last_tx_id = $9::xid8, last_position = $4, retry_event_id = NULL, retry_attempts = 0, retry_at = NULL, retry_error = NULL, updated_at = now()
  WHERE name = $2`;

/**
 * Only events of transactions older than every running one: a later commit can never slip behind the cursor.
 * ORDER BY names the table's columns: a bare `tx_id` is the text output column (`tx_id::text AS tx_id`),
 * which sorts '1000' before '999' (and cannot use the index).
 */
const READ_AFTER = `
  SELECT id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id
  FROM domain_events
  WHERE (tx_id, position) > ($1::xid8, $2::bigint)
    AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY domain_events.tx_id, domain_events.position
  LIMIT ${BATCH}`;

/**
 * Publishes committed outbox events. Every instance publishes every event to its in-process CQRS
 * EventBus (live, from its start; passed unread while nothing listens there: live-publication.ts);
 * durable subscribers get each event at least once in commit order, from a checkpoint in
 * `event_subscriptions`, one instance at a time (a session advisory lock held on the relay's own
 * session). Woken through the process's shared LISTEN connection; a slow poll
 * covers lost notifications, and a reconnect of the listener triggers a catch-up drain.
 *
 * Start without a gap: the relay subscribes to the channel first, then reads the head that live
 * publishing starts after, in onModuleInit — before any module's onApplicationBootstrap starts
 * workers, so no event this process commits can fall before it. Events are published in
 * `(tx_id, position)` order below the visibility horizon, so a cursor never passes an event that
 * commits later; a row at or behind the cursor is never published twice.
 */
@Injectable()
export class OutboxRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private session?: Client;
  /** The live pass: this process's EventBus, from its start (its cursor is the live cursor). */
  private readonly live: LivePublication;
  /** Subscribers whose advisory lock the relay's session holds. */
  private readonly locked = new Set<string>();
  /**
   * Checkpoints of locked subscribers with no retry pending: only this session writes them while it
   * holds the lock, so they are not read back before every batch. Dropped with the session.
   */
  private readonly known = new Map<string, KnownCheckpoint>();
  private retryTimer?: NodeJS.Timeout;
  private loop?: BackgroundLoop;
  private stopped = false;
  private readonly waiters: (() => void)[] = [];
  private readonly channel = { notify: () => this.loop?.wake(), caughtUp: () => this.loop?.wake() };

  constructor(
    private readonly config: AppConfig,
    private readonly subscribers: DurableSubscribers,
    private readonly delivery: DurableDelivery,
    eventBus: EventBus,
    registry: EventTypeRegistry,
    metrics: MetricsService,
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
  ) {
    this.live = new LivePublication(READ_AFTER, BATCH, eventBus, registry, metrics, () => new Set(subscribers.list().flatMap((s) => [...s.types])));
  }

  async onModuleInit(): Promise<void> {
    this.subscribers.list(); // registers their event classes before the first row is read
    this.listener.subscribe(OUTBOX_CHANNEL, this.channel);
    // The head is read after subscribing: what commits from here on is above it. If the database
    // is unreachable now, the first drain that reaches it reads the head instead.
    await this.ensureHead().catch((e: Error) => this.logger.warn(`relay could not read the outbox head yet: ${e.message}`));
    this.loop = this.jobs.start({
      name: 'outbox.relay',
      everyMs: this.config.get('OUTBOX_POLL_MS'),
      minGapMs: COALESCE_MS,
      run: () => this.drainAndSignal(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.listener.unsubscribe(OUTBOX_CHANNEL, this.channel);
    await this.jobs.stop(this.loop);
    this.releaseWaiters();
    await this.saveSkipped().catch((e: Error) => this.logger.warn(`relay could not save its checkpoints at shutdown: ${e.message}`));
    await this.dropSession();
  }

  /** Runs a drain soon; resolves when a drain that started after this call has finished (or the relay stops). */
  wake(): Promise<void> {
    if (this.stopped || !this.loop) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.loop.wake();
    return done;
  }

  private async drainAndSignal(): Promise<void> {
    const waiting = this.waiters.splice(0);
    try {
      await this.drain();
    } finally {
      for (const w of waiting) w();
    }
  }

  private releaseWaiters(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The relay's own session: it holds the durable subscribers' advisory locks. */
  private async sessionClient(): Promise<Client> {
    if (this.session) return this.session;
    const client = await connectSession(this.config.all, 'cognition-os-relay', (e, lost) => {
      this.logger.warn(`relay session lost: ${e.message}`);
      if (this.session === lost) void this.dropSession();
    });
    this.session = client;
    return client;
  }

  /** Closes the session; its advisory locks go with it, so every subscriber must lock again. */
  private async dropSession(): Promise<void> {
    const client = this.session;
    this.session = undefined;
    this.locked.clear();
    this.known.clear();
    await client?.end().catch(() => undefined);
  }

  private async ensureHead(): Promise<void> {
    if (this.live.cursor) return;
    this.live.cursor = await this.head(await this.sessionClient());
  }

  private async head(client: Client): Promise<Cursor> {
    const { rows } = await client.query<{ tx_id: string; position: string }>(
      `SELECT tx_id::text AS tx_id, position FROM domain_events
       WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY domain_events.tx_id DESC, domain_events.position DESC LIMIT 1`,
    );
    return rows[0] ? { txId: rows[0].tx_id, position: String(rows[0].position) } : { txId: '0', position: '0' };
  }

  private async drain(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ensureHead();
      const client = await this.sessionClient();
      const fresh = await this.live.publish(client);
      // Round robin, one batch per subscriber per turn: a subscriber with a long backlog (or one
      // stuck on a failing event) does not hold back the others.
      let pending = this.subscribers.list();
      let dueAt: Date | null = null;
      while (pending.length && !this.stopped) {
        const more: DurableSubscriber[] = [];
        for (const subscriber of pending) {
          const turn = await this.deliverDurable(client, subscriber, fresh).catch((e: Error) => {
            if (isConnectionError(e)) throw e;
            this.logger.warn(`subscriber ${subscriber.name} could not be served: ${e.message}`);
            return { more: false, blockedUntil: null };
          });
          if (turn.more) more.push(subscriber);
          if (turn.blockedUntil && (!dueAt || turn.blockedUntil < dueAt)) dueAt = turn.blockedUntil;
        }
        pending = more;
      }
      this.wakeAt(dueAt);
    } catch (error) {
      // A broken session must not be reused: its locks may be gone.
      if (isConnectionError(error)) await this.dropSession();
      throw error;
    }
  }

  /** Writes the checkpoints moved only past skipped events (at shutdown, while the session still holds the locks). */
  private async saveSkipped(): Promise<void> {
    const client = this.session;
    if (!client) return;
    for (const [name, k] of this.known) {
      if (!k.unsaved) continue;
      await client.query(SAVE_CHECKPOINT, [name, k.cursor.txId, k.cursor.position, null, 0, null, null]);
      this.known.set(name, { cursor: k.cursor, unsaved: false, savedAt: Date.now() });
    }
  }

  /** The live cursor of this instance (what it has published to its EventBus), once known. */
  get liveCursor(): { txId: string; position: string } | undefined {
    const cursor = this.live.cursor;
    return cursor ? { ...cursor } : undefined;
  }

  /** A retry falls due then: drain at that time (the poll would come too, later). */
  private wakeAt(at: Date | null): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (!at || this.stopped) return;
    this.retryTimer = setTimeout(() => this.loop?.wake(), Math.max(0, at.getTime() - Date.now()) + 5);
  }

  /**
   * Delivers the next batch after the subscriber's checkpoint (DurableDelivery: a failing event is
   * retried with backoff, then dead-lettered). `more` when there may be more; `blockedUntil` when it
   * waits for a retry.
   */
  private async deliverDurable(client: Client, s: DurableSubscriber, fresh?: FreshRead): Promise<{ more: boolean; blockedUntil: Date | null }> {
    if (!this.locked.has(s.name)) {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [`cognitionos.subscriber.${s.name}`]);
      if (!rows[0].ok) return { more: false, blockedUntil: null };
      this.locked.add(s.name);
      this.known.delete(s.name);
      await client.query(`INSERT INTO event_subscriptions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [s.name]);
    }
    const known = this.known.get(s.name);
    const start = known ? { cursor: known.cursor, retry: null } : await this.readCheckpoint(client, s.name);
    if (DurableDelivery.waiting(start)) return { more: false, blockedUntil: start.retry!.at };
    const read: SubscriberRead =
      fresh && sameCursor(fresh.from, start.cursor) && covers(fresh.types, s.types) ? { rows: fresh.rows, scanned: fresh.scanned } : await readForSubscriber(client, start.cursor, s.types, BATCH);
    const rows = read.rows;
    // What the table holds (a dead letter moves it too); unknown while a skipped-only move is unsaved.
    let saved: DeliveryState = known?.unsaved ? { cursor: { txId: '', position: '' }, retry: null } : start;
    // A dead letter moves the checkpoint with it. If writing one fails, the events delivered since
    // the last saved checkpoint are delivered again (at least once).
    const result = await this.delivery.deliver(
      s,
      rows,
      start,
      async (row, attempts, failure) => {
        await client.query(DEAD_LETTER, [...deadLetterParams(s.name, row, attempts, failure), String(row.tx_id)]);
        saved = { cursor: keyOf(row), retry: null };
      },
      () => this.stopped,
    );
    const moved = !sameCursor(result.cursor, saved.cursor);
    const retryChanged = JSON.stringify(result.retry) !== JSON.stringify(saved.retry);
    // Moved only past events it does not take: written later (SKIP_SAVE_MS, shutdown), not per batch.
    const skippedOnly = result.delivered === 0 && result.deadLettered === 0 && result.retry === null && start.retry === null;
    // When the table was last written (0: not by this session): a skipped-only move is deferred
    // within SKIP_SAVE_MS of it. An unsaved cursor counts as moved (`saved` above), so a later drain
    // with nothing to read writes it once that time has passed.
    const savedAt = known?.savedAt ?? 0;
    if ((moved || retryChanged) && skippedOnly && Date.now() - savedAt < SKIP_SAVE_MS) {
      this.known.set(s.name, { cursor: result.cursor, unsaved: true, savedAt });
    } else if (moved || retryChanged) {
      const r = result.retry;
      await client.query(SAVE_CHECKPOINT, [s.name, result.cursor.txId, result.cursor.position, r?.eventId ?? null, r?.attempts ?? 0, r?.at ?? null, r ? JSON.stringify(r.error) : null]);
      this.remember(s.name, result, Date.now());
    } else {
      this.remember(s.name, result, known?.savedAt ?? Date.now());
    }
    return { more: read.scanned === BATCH && !result.blockedUntil, blockedUntil: result.blockedUntil };
  }

  private async readCheckpoint(client: Client, name: string): Promise<DeliveryState> {
    const { rows } = await client.query<CheckpointRow>(
      `SELECT last_tx_id::text AS tx_id, last_position AS position, retry_event_id, retry_attempts, retry_at, retry_error
       FROM event_subscriptions WHERE name = $1`,
      [name],
    );
    const c = rows[0];
    return {
      cursor: { txId: c.tx_id, position: String(c.position) },
      retry: c.retry_event_id && c.retry_at ? { eventId: c.retry_event_id, attempts: c.retry_attempts, at: new Date(c.retry_at), error: c.retry_error ?? { message: '' } } : null,
    };
  }

  /** Keeps a saved checkpoint in memory when no retry is pending (a retry state is read from the table each time). */
  private remember(name: string, state: DeliveryState, savedAt: number): void {
    if (state.retry) this.known.delete(name);
    else this.known.set(name, { cursor: state.cursor, unsaved: false, savedAt });
  }
}

function sameCursor(a: Cursor, b: Cursor): boolean {
  return a.txId === b.txId && a.position === b.position;
}
