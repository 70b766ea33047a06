import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { pgClientConfig } from './pg-connection';

export interface ChannelSubscriber {
  /** A notification arrived on the channel. */
  notify(payload: string): void;
  /** The connection was (re)established: notifications may have been missed, poll now. */
  caughtUp(): void;
}

const CHECK_EVERY_MS = 5000;

/**
 * The process's one LISTEN connection, shared by every channel (DESIGN.md). A background loop keeps
 * it open: when it is lost it is closed for good, a new one is opened with backoff, every channel is
 * LISTENed again, and every subscriber is told to catch up (a poll), so no wake-up or cancel is lost
 * to an outage. A periodic `SELECT 1` finds a connection that died silently. However many outages,
 * the process holds at most one such connection: `cognition-os-listener:<pid>` in pg_stat_activity.
 */
@Injectable()
export class PgListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgListener.name);
  private readonly channels = new Map<string, Set<ChannelSubscriber>>();
  private client?: Client;
  /** Statements on the connection run one at a time (pg warns about overlapping queries). */
  private serial: Promise<unknown> = Promise.resolve();
  private loop?: BackgroundLoop;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: BackgroundJobs,
  ) {}

  /** The application_name of this process's LISTEN connection. */
  static applicationName(pid = process.pid): string {
    return `cognition-os-listener:${pid}`;
  }

  onModuleInit(): void {
    this.loop = this.jobs.start({ name: 'platform.listener', everyMs: CHECK_EVERY_MS, run: () => this.keepOpen() });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.jobs.stop(this.loop);
    await this.drop();
  }

  /** True while the LISTEN connection is open. */
  get connected(): boolean {
    return !!this.client;
  }

  /** Delivers the channel's notifications to `subscriber`; `unsubscribe` with the same object. */
  subscribe(channel: string, subscriber: ChannelSubscriber): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    const set = this.channels.get(channel) ?? new Set();
    const isNew = set.size === 0;
    set.add(subscriber);
    this.channels.set(channel, set);
    const client = this.client;
    if (isNew && client) this.query(client, `LISTEN ${channel}`).catch(() => this.lost(client));
  }

  unsubscribe(channel: string, subscriber: ChannelSubscriber): void {
    this.channels.get(channel)?.delete(subscriber);
  }

  private async keepOpen(): Promise<void> {
    if (this.stopped) return;
    if (this.client) {
      const client = this.client;
      await this.query(client, 'SELECT 1').catch((e: Error) => {
        this.lost(client);
        throw e;
      });
      return;
    }
    const client = new Client(pgClientConfig(this.config.all, PgListener.applicationName()));
    client.on('notification', (n) => {
      for (const s of this.channels.get(n.channel) ?? []) s.notify(n.payload ?? '');
    });
    client.on('error', (e) => {
      this.logger.warn({ error: e.message }, `LISTEN connection lost: ${e.message}`);
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) return void (await client.end().catch(() => undefined));
    this.client = client;
    for (const set of this.channels.values()) for (const s of set) s.caughtUp();
  }

  private query(client: Client, text: string): Promise<unknown> {
    const run = this.serial.then(() => client.query(text));
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** Forgets a broken connection (closing it, so it never counts twice) and reconnects soon. */
  private lost(client: Client | undefined): void {
    if (!client || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.stopped) this.loop?.wake();
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
