import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { pgClientConfig } from '@cognition/platform/database/pg-connection';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { PgListener } from '@cognition/platform/database/pg-listener';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { DURABLE_HANDLER, DurableEventHandler, DurableHandlerOptions } from './durable-events-handler.decorator';
import { EventTypeRegistry, StoredEventRow } from './event-type.registry';

export const OUTBOX_CHANNEL = 'cognitionos_events';
/** The relay's read (and its batch size), reused by the broker relay (platform/outbox/broker) rather than copied. */
export { BATCH, READ_AFTER };
const BATCH = 500;
/** Under a stream of commits, wake-ups coalesce: at most one drain per COALESCE_MS. */
const COALESCE_MS = 10;

interface Cursor {
  txId: string;
  position: string;
}

interface Subscriber {
  name: string;
  types: Set<string>;
  handler: DurableEventHandler;
  locked: boolean;
}

/** Only events of transactions older than every running one: a later commit can never slip behind the cursor. */
const READ_AFTER = `
  SELECT id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id
  FROM domain_events
  WHERE (tx_id, position) > ($1::xid8, $2::bigint)
    AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY domain_events.tx_id, domain_events.position
  LIMIT ${BATCH}`;

/** READ_AFTER for one durable subscriber: rows of types it does not handle come without their payload (the cursor still moves past them). */
const READ_AFTER_FOR = `
  SELECT id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id,
         CASE WHEN type = ANY($3::text[]) THEN payload END AS payload, occurred_at, correlation_id
  FROM domain_events
  WHERE (tx_id, position) > ($1::xid8, $2::bigint)
    AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY domain_events.tx_id, domain_events.position
  LIMIT ${BATCH}`;

/**
 * Publishes committed outbox events. Every instance publishes every event to its in-process CQRS
 * EventBus (live, from its start); durable subscribers get each event at least once in commit order,
 * from a checkpoint in `event_subscriptions`, one instance at a time (a session advisory lock held
 * on the relay's own session). Woken through the process's shared LISTEN connection; a slow poll
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
  private live?: Cursor;
  private subscribers: Subscriber[] = [];
  private loop?: BackgroundLoop;
  private stopped = false;
  private readonly waiters: (() => void)[] = [];
  private readonly channel = { notify: () => this.loop?.wake(), caughtUp: () => this.loop?.wake() };

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly eventBus: EventBus,
    private readonly registry: EventTypeRegistry,
    private readonly metrics: MetricsService,
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscribers = this.discoverSubscribers();
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
    this.listener.unsubscribe(OUTBOX_CHANNEL, this.channel);
    await this.jobs.stop(this.loop);
    this.releaseWaiters();
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

  private discoverSubscribers(): Subscriber[] {
    return this.discovery
      .getProviders()
      .filter((w) => w.metatype && w.instance && Reflect.getMetadata(DURABLE_HANDLER, w.metatype))
      .map((w) => {
        const options = Reflect.getMetadata(DURABLE_HANDLER, w.metatype!) as DurableHandlerOptions;
        this.registry.register(...options.events);
        return { name: options.name, types: new Set(options.events.map((e) => e.name)), handler: w.instance as DurableEventHandler, locked: false };
      });
  }

  /** The relay's own session: it holds the durable subscribers' advisory locks. */
  private async sessionClient(): Promise<Client> {
    if (this.session) return this.session;
    const client = new Client(pgClientConfig(this.config.all, 'cognition-os-relay'));
    client.on('error', (e) => {
      this.logger.warn(`relay session lost: ${e.message}`);
      if (this.session === client) void this.dropSession();
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.session = client;
    return client;
  }

  /** Closes the session; its advisory locks go with it, so every subscriber must lock again. */
  private async dropSession(): Promise<void> {
    const client = this.session;
    this.session = undefined;
    for (const s of this.subscribers) s.locked = false;
    await client?.end().catch(() => undefined);
  }

  private async ensureHead(): Promise<void> {
    if (this.live) return;
    this.live = await this.head(await this.sessionClient());
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
      await this.publishLive(client);
      // Round robin, one batch per subscriber per turn: a subscriber with a long backlog (or one
      // stuck on a failing event) does not hold back the others.
      let pending = this.subscribers;
      while (pending.length && !this.stopped) {
        const more: Subscriber[] = [];
        for (const subscriber of pending) {
          const hasMore = await this.deliverDurable(client, subscriber).catch((e: Error) => {
            if (isConnectionError(e)) throw e;
            this.logger.warn(`subscriber ${subscriber.name} stopped at a failing event: ${e.message}`);
            return false;
          });
          if (hasMore) more.push(subscriber);
        }
        pending = more;
      }
    } catch (error) {
      // A broken session must not be reused: its locks may be gone.
      if (isConnectionError(error)) await this.dropSession();
      throw error;
    }
  }

  private async publishLive(client: Client): Promise<void> {
    for (;;) {
      const { rows } = await client.query<StoredEventRow>(READ_AFTER, [this.live!.txId, this.live!.position]);
      for (const row of rows) {
        const event = this.registry.fromRow(row);
        this.eventBus.publish(event);
        this.metrics.eventsPublished.inc({ type: row.type });
        this.live = { txId: row.tx_id, position: String(row.position) };
      }
      if (rows.length < BATCH) return;
    }
  }

  /** Delivers the next batch after the subscriber's checkpoint; true when there may be more. */
  private async deliverDurable(client: Client, s: Subscriber): Promise<boolean> {
    if (!s.locked) {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [`cognitionos.subscriber.${s.name}`]);
      if (!rows[0].ok) return false;
      s.locked = true;
      await client.query(`INSERT INTO event_subscriptions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [s.name]);
    }
    const { rows: cp } = await client.query<{ tx_id: string; position: string }>(
      `SELECT last_tx_id::text AS tx_id, last_position AS position FROM event_subscriptions WHERE name = $1`,
      [s.name],
    );
    const cursor: Cursor = { txId: cp[0].tx_id, position: String(cp[0].position) };
    const { rows } = await client.query<StoredEventRow>(READ_AFTER_FOR, [cursor.txId, cursor.position, [...s.types]]);
    let delivered = cursor;
    try {
      for (const row of rows) {
        if (s.types.has(row.type)) await this.handleWithRetry(s, row);
        delivered = { txId: row.tx_id, position: String(row.position) };
      }
    } finally {
      if (delivered !== cursor) {
        await client.query(`UPDATE event_subscriptions SET last_tx_id = $2::xid8, last_position = $3, updated_at = now() WHERE name = $1`, [
          s.name,
          delivered.txId,
          delivered.position,
        ]);
      }
    }
    return rows.length === BATCH;
  }

  private async handleWithRetry(s: Subscriber, row: StoredEventRow): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await s.handler.handle(this.registry.fromRow(row));
        return;
      } catch (error) {
        if (attempt >= 3 || this.stopped) {
          this.logger.error(`subscriber ${s.name} failed on event ${row.id} (${row.type}) ${attempt} times: ${(error as Error).message}`);
          throw error;
        }
        await new Promise((r) => setTimeout(r, 100 * 4 ** (attempt - 1)));
      }
    }
  }
}
