import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { Counter, Gauge } from 'prom-client';
import { Env } from '@cognition/config/env.schema';
import { connectSession } from '@cognition/platform/database/pg-connection';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { envelopeOfRow } from '../event-envelope';
import { StoredEventRow } from '../event-type.registry';
import { BATCH, READ_AFTER } from '../outbox.relay';
import { publishInAggregateOrder } from './aggregate-order';
import { toBrokerMessage } from './broker-message';
import { EventBroker } from './event-broker.port';

export interface BrokerRelayMetrics {
  published: Counter<'broker'>;
  errors: Counter<'broker'>;
  lagEvents: Gauge<'broker'>;
  lagSeconds: Gauge<'broker'>;
}

/** `standby`: another instance publishes (it holds the lock); `unreachable`: the last attempt failed. */
export type BrokerRelayState = 'starting' | 'standby' | 'publishing' | 'unreachable';

export interface BrokerRelayStatus {
  state: BrokerRelayState;
  connected: boolean;
  target: string;
  /** Events after the checkpoint (counted up to LAG_COUNT_CAP), as of this instance's last pass; null on a standby instance. */
  behind: number | null;
  lastError: string | null;
  lastPublishedAt: string | null;
}

/** The lag count stops here: counting a huge backlog on every pass would cost more than it tells. */
export const LAG_COUNT_CAP = 100_000;

const COUNT_BEHIND = `
  SELECT count(*)::int AS n FROM (
    SELECT 1 FROM domain_events
    WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
    LIMIT ${LAG_COUNT_CAP}) behind`;

/**
 * Publishes the outbox to one broker, at least once, from its own checkpoint: the
 * `event_subscriptions` row `broker:<name>` (so retention sees what the broker has passed). Like the
 * durable subscribers, one instance at a time: a session advisory lock on its own connection. A pass
 * reads the next batch after the checkpoint with the in-process relay's query (`(tx_id, position)`
 * order, below the visibility horizon), publishes it keeping each aggregate's order, and moves the
 * checkpoint past what the broker confirmed, only then. A failure (broker down, a refusal, a
 * timeout) throws: the background loop backs off and the next pass starts again from the checkpoint.
 * Nothing here runs in a request or an engine transaction, so a broker outage only grows the backlog.
 */
export class BrokerRelay {
  readonly checkpointName: string;
  private readonly logger: Logger;
  private session?: Client;
  private locked = false;
  private current: BrokerRelayState = 'starting';
  private lastError: string | null = null;
  private behind: number | null = null;
  private lastPublishedAt: Date | null = null;

  constructor(
    readonly broker: EventBroker,
    private readonly env: Env,
    private readonly metrics: BrokerRelayMetrics,
  ) {
    this.checkpointName = `broker:${broker.name}`;
    this.logger = new Logger(`BrokerRelay:${broker.name}`);
  }

  status(): BrokerRelayStatus {
    const { connected, target } = this.broker.state();
    return { state: this.current, connected, target, behind: this.locked ? this.behind : null, lastError: this.lastError, lastPublishedAt: this.lastPublishedAt?.toISOString() ?? null };
  }

  /** One pass; resolves true when a full batch was published (more may be waiting). */
  async pass(): Promise<boolean> {
    try {
      return await this.passOn(await this.sessionClient());
    } catch (error) {
      // A broken session must not be reused: its lock may be gone.
      if (isConnectionError(error)) await this.dropSession();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.dropSession();
  }

  private async passOn(client: Client): Promise<boolean> {
    if (!this.locked) {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [`cognitionos.subscriber.${this.checkpointName}`]);
      if (!rows[0].ok) {
        this.current = 'standby';
        return false;
      }
      this.locked = true;
      await client.query(`INSERT INTO event_subscriptions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [this.checkpointName]);
      this.logger.log(`publishing the outbox to ${this.broker.state().target} from the checkpoint ${this.checkpointName}`);
    }
    const { rows: cp } = await client.query<{ tx_id: string; position: string }>(
      `SELECT last_tx_id::text AS tx_id, last_position AS position FROM event_subscriptions WHERE name = $1`,
      [this.checkpointName],
    );
    const cursor = { txId: cp[0].tx_id, position: String(cp[0].position) };
    const { rows } = await client.query<StoredEventRow>(READ_AFTER, [cursor.txId, cursor.position]);
    const behind = rows.length < BATCH ? rows.length : (await client.query<{ n: number }>(COUNT_BEHIND, [cursor.txId, cursor.position])).rows[0].n;
    this.recordLag(behind, rows[0]);

    try {
      await this.broker.connect();
    } catch (error) {
      throw this.failed(error);
    }
    if (rows.length === 0) return this.succeeded(false);

    const maxBytes = this.broker.maxMessageBytes();
    const messages = rows.map((row) => toBrokerMessage(envelopeOfRow(row), maxBytes));
    for (const m of messages.filter((m) => m.payloadOmitted)) {
      this.logger.warn(`event ${m.id} is over ${maxBytes} bytes as a message: published without its payload (payloadOmitted: true)`);
    }
    const { confirmed, error } = await publishInAggregateOrder(messages, (m) => this.broker.publish(m));
    if (confirmed > 0) {
      const last = rows[confirmed - 1];
      // Never backwards (a stale instance whose session was lost cannot reach here: its statement fails).
      await client.query(
        `UPDATE event_subscriptions SET last_tx_id = $2::xid8, last_position = $3, updated_at = now()
         WHERE name = $1 AND (last_tx_id, last_position) < ($2::xid8, $3::bigint)`,
        [this.checkpointName, last.tx_id, String(last.position)],
      );
      this.metrics.published.inc({ broker: this.broker.name }, confirmed);
      this.lastPublishedAt = new Date();
    }
    this.recordLag(Math.max(0, behind - confirmed), rows[confirmed]);
    if (error !== undefined || confirmed < rows.length) throw this.failed(error ?? new Error('not every message was confirmed'));
    return this.succeeded(rows.length === BATCH);
  }

  private succeeded(more: boolean): boolean {
    if (this.current === 'unreachable') this.logger.log(`${this.broker.state().target} reachable again; publishing from the checkpoint`);
    this.current = 'publishing';
    this.lastError = null;
    return more;
  }

  private failed(error: unknown): unknown {
    this.metrics.errors.inc({ broker: this.broker.name });
    this.current = 'unreachable';
    this.lastError = error instanceof Error ? error.message : String(error);
    this.broker.reset();
    return error;
  }

  private recordLag(behind: number, oldest: StoredEventRow | undefined): void {
    this.behind = behind;
    const labels = { broker: this.broker.name };
    this.metrics.lagEvents.set(labels, behind);
    this.metrics.lagSeconds.set(labels, behind > 0 && oldest ? Math.max(0, (Date.now() - new Date(oldest.occurred_at).getTime()) / 1000) : 0);
  }

  /** Its own session: it holds the advisory lock. */
  private async sessionClient(): Promise<Client> {
    if (this.session) return this.session;
    const client = await connectSession(this.env, `cognition-os-broker:${this.broker.name}`, (e, lost) => {
      this.logger.warn(`broker relay session lost: ${e.message}`);
      if (this.session === lost) void this.dropSession();
    });
    this.session = client;
    return client;
  }

  /** Closes the session; the lock goes with it, so the next pass must take it again. */
  private async dropSession(): Promise<void> {
    const client = this.session;
    this.session = undefined;
    this.locked = false;
    await client?.end().catch(() => undefined);
  }
}
