import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { DurableSubscribers } from '@cognition/platform/outbox/durable-subscribers';
import { OutboxRelay } from '@cognition/platform/outbox/outbox.relay';
import { EventsSql } from '@cognition/events/infrastructure/events-sql';
import { SubscriptionReads } from '@cognition/events/infrastructure/subscription-reads';

/** Lag gauges count exactly up to this many events (bounded work per refresh); beyond, they show the cap. */
export const LAG_METRIC_CAP = 100_000;

/**
 * The events gauges, refreshed from the database every EVENT_METRICS_INTERVAL_MS by a background
 * loop (`events.metrics`), so a scrape never waits for the database:
 * - `cognitionos_dead_letters{subscriber}`: open (`dead`) dead letters, all tenants;
 * - `cognitionos_event_subscriber_lag_events{subscriber}`: events of its types after its checkpoint;
 * - `cognitionos_outbox_relay_lag_events` / `_seconds`: committed events this instance's relay has not
 *   published to its EventBus yet, and the age of the oldest of them (0 when none).
 */
@Injectable()
export class EventMetrics implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private loop?: BackgroundLoop;
  private readonly deadLetters: Gauge<'subscriber'>;
  private readonly subscriberLag: Gauge<'subscriber'>;
  private readonly relayLagEvents: Gauge;
  private readonly relayLagSeconds: Gauge;

  constructor(
    metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly jobs: BackgroundJobs,
    private readonly subscribers: DurableSubscribers,
    private readonly relay: OutboxRelay,
    private readonly subscriptions: SubscriptionReads,
    private readonly db: EventsSql,
  ) {
    const registers = [metrics.registry];
    this.deadLetters = new Gauge({ name: 'cognitionos_dead_letters', help: 'Open dead letters (status dead), by durable subscriber', labelNames: ['subscriber'], registers });
    this.subscriberLag = new Gauge({
      name: 'cognitionos_event_subscriber_lag_events',
      help: `Events of a durable subscriber's types after its checkpoint (exact up to ${LAG_METRIC_CAP})`,
      labelNames: ['subscriber'],
      registers,
    });
    this.relayLagEvents = new Gauge({ name: 'cognitionos_outbox_relay_lag_events', help: `Committed events this instance's relay has not published yet (exact up to ${LAG_METRIC_CAP})`, registers });
    this.relayLagSeconds = new Gauge({ name: 'cognitionos_outbox_relay_lag_seconds', help: "Age of the oldest committed event this instance's relay has not published yet (0: none)", registers });
  }

  onApplicationBootstrap(): void {
    this.loop = this.jobs.start({ name: 'events.metrics', everyMs: this.config.get('EVENT_METRICS_INTERVAL_MS'), run: () => this.refresh() });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.jobs.stop(this.loop);
  }

  async refresh(): Promise<void> {
    const dead = await this.db.sql<{ subscriber: string; n: number }>(`SELECT subscriber, count(*)::int AS n FROM dead_letters WHERE status = 'dead' GROUP BY subscriber`);
    const deadBy = new Map(dead.map((r) => [r.subscriber, r.n]));
    for (const s of this.subscribers.list()) {
      this.deadLetters.set({ subscriber: s.name }, deadBy.get(s.name) ?? 0);
      const cp = await this.subscriptions.checkpoint(s.name);
      const [lag] = await this.db.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
           SELECT 1 FROM domain_events WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND type = ANY($3::text[]) LIMIT $4) counted`,
        [cp.txId, cp.position, [...s.types], LAG_METRIC_CAP],
      );
      this.subscriberLag.set({ subscriber: s.name }, lag.n);
    }
    const live = this.relay.liveCursor;
    if (!live) return;
    const [relay] = await this.db.sql<{ n: number; age: number | null }>(
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM domain_events WHERE (tx_id, position) > ($1::xid8, $2::bigint) LIMIT $3) counted) AS n,
              (SELECT GREATEST(extract(epoch FROM now() - occurred_at), 0)::float8 FROM domain_events
               WHERE (tx_id, position) > ($1::xid8, $2::bigint) ORDER BY tx_id, position LIMIT 1) AS age`,
      [live.txId, live.position, LAG_METRIC_CAP],
    );
    this.relayLagEvents.set(relay.n);
    this.relayLagSeconds.set(relay.age ?? 0);
  }
}
