import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { PgListener } from '@cognition/platform/database/pg-listener';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { OUTBOX_CHANNEL } from '../outbox.relay';
import { BrokerRelay, BrokerRelayMetrics, BrokerRelayStatus } from './broker-relay';
import { EVENT_BROKERS, EventBroker } from './event-broker.port';

/** Under a stream of commits, wake-ups coalesce: at most one pass per broker per COALESCE_MS. */
const COALESCE_MS = 10;
/** On shutdown, a pass stuck on an unreachable broker is cut short after this. */
const STOP_WAIT_MS = 2000;

/**
 * Runs one BrokerRelay per configured broker, each in its own background loop
 * (`outbox.broker.<name>`), woken by the outbox's NOTIFY through the process's shared LISTEN
 * connection and polled every OUTBOX_POLL_MS. Every instance runs them; the advisory lock lets one
 * publish per broker. With no broker configured it does nothing.
 */
@Injectable()
export class BrokerRelays implements OnModuleInit, OnApplicationShutdown {
  private readonly relays: { relay: BrokerRelay; loop?: BackgroundLoop }[];
  private readonly metrics: BrokerRelayMetrics;
  private readonly channel = { notify: () => this.wakeAll(), caughtUp: () => this.wakeAll() };

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
    metrics: MetricsService,
    @Inject(EVENT_BROKERS) brokers: EventBroker[],
  ) {
    const registers = [metrics.registry];
    this.metrics = {
      published: new Counter({ name: 'cognitionos_broker_events_published_total', help: 'Outbox events the broker confirmed, by broker', labelNames: ['broker'], registers }),
      errors: new Counter({
        name: 'cognitionos_broker_publish_errors_total',
        help: 'Failed broker relay passes (broker unreachable, a refusal, a confirmation timeout), by broker',
        labelNames: ['broker'],
        registers,
      }),
      lagEvents: new Gauge({
        name: 'cognitionos_broker_lag_events',
        help: `Outbox events not yet confirmed by the broker (counted up to 100000), as of the publishing instance's last pass`,
        labelNames: ['broker'],
        registers,
      }),
      lagSeconds: new Gauge({
        name: 'cognitionos_broker_lag_seconds',
        help: 'Age of the oldest outbox event not yet confirmed by the broker (0 when caught up)',
        labelNames: ['broker'],
        registers,
      }),
    };
    this.relays = brokers.map((broker) => ({ relay: new BrokerRelay(broker, config.all, this.metrics) }));
  }

  /** True when at least one broker is configured. */
  get configured(): boolean {
    return this.relays.length > 0;
  }

  /** Each broker's relay, by broker name (health details). */
  status(): Record<string, BrokerRelayStatus> {
    return Object.fromEntries(this.relays.map(({ relay }) => [relay.broker.name, relay.status()]));
  }

  onModuleInit(): void {
    if (!this.configured) return;
    for (const entry of this.relays) {
      entry.loop = this.jobs.start({
        name: `outbox.broker.${entry.relay.broker.name}`,
        everyMs: this.config.get('OUTBOX_POLL_MS'),
        minGapMs: COALESCE_MS,
        run: () => entry.relay.pass(),
      });
    }
    this.listener.subscribe(OUTBOX_CHANNEL, this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.configured) return;
    this.listener.unsubscribe(OUTBOX_CHANNEL, this.channel);
    await Promise.all(
      this.relays.map(async ({ relay, loop }) => {
        const stopped = this.jobs.stop(loop);
        // A pass waiting on an unreachable broker ends when the broker is closed (its publishes fail).
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
        clearTimeout(timer);
        await relay.broker.close();
        await stopped;
        await relay.stop();
      }),
    );
  }

  private wakeAll(): void {
    for (const { loop } of this.relays) loop?.wake();
  }
}
