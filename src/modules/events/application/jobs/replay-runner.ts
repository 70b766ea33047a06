import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { hostname } from 'node:os';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { PgListener } from '@cognition/platform/database/pg-listener';
import { newId } from '@cognition/platform/ids/uuid';
import { deadLetterParams } from '@cognition/platform/outbox/dead-letter-sql';
import { DeliveryState, DurableDelivery, keyOf } from '@cognition/platform/outbox/durable-delivery';
import { DurableSubscribers } from '@cognition/platform/outbox/durable-subscribers';
import { deliveryStateOf, REPLAY_CHANNEL, ReplayStore } from '@cognition/events/infrastructure/replay-store';

const BATCH = 500;
/** Idle poll: replays are announced by NOTIFY, and retries wake the runner when they fall due. */
const POLL_MS = 5000;

/**
 * Runs replays (`events.replays`, one loop per process, every instance): takes the oldest due replay
 * with a lease, delivers its next batch to the subscriber through DurableDelivery (the relay's retry
 * and dead-letter rule), saves the cursor, and goes on until the replay reaches its end. A replay
 * held at a failing event gives up its lease until the retry is due, so nothing else waits for it.
 */
@Injectable()
export class ReplayRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private loop?: BackgroundLoop;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private readonly owner = `${hostname()}:${process.pid}:${newId().slice(-12)}`;
  private readonly channel = { notify: () => this.loop?.wake(), caughtUp: () => this.loop?.wake() };

  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
    private readonly replays: ReplayStore,
    private readonly subscribers: DurableSubscribers,
    private readonly delivery: DurableDelivery,
  ) {}

  onApplicationBootstrap(): void {
    this.listener.subscribe(REPLAY_CHANNEL, this.channel);
    this.loop = this.jobs.start({ name: 'events.replays', everyMs: POLL_MS, run: () => this.pass() });
  }

  /** Before the pool closes: stop after the batch in hand, and hand back what this runner holds. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.listener.unsubscribe(REPLAY_CHANNEL, this.channel);
    await this.jobs.stop(this.loop);
    await this.replays.releaseAll(this.owner).catch(() => undefined);
  }

  /** One batch of one replay; true when there may be more to do at once. */
  async pass(): Promise<boolean> {
    if (this.stopping) return false;
    const replay = await this.replays.claim(this.owner);
    if (!replay) return false;
    const subscriber = this.subscribers.get(replay.subscriber);
    if (!subscriber) {
      await this.replays.fail(replay.id, this.owner, { code: 'SUBSCRIBER_NOT_FOUND', message: `subscriber ${replay.subscriber} is not registered in this process` });
      return true;
    }
    const start = deliveryStateOf(replay);
    const rows = await this.replays.batch(replay, [...subscriber.types], BATCH);
    const result = await this.delivery.deliver(
      subscriber,
      rows,
      start,
      (row, attempts, failure) => this.replays.deadLetter(replay.id, this.owner, deadLetterParams(subscriber.name, row, attempts, failure), row),
      () => this.stopping,
    );
    const last = rows.length ? keyOf(rows[rows.length - 1]) : start.cursor;
    const wentThrough = result.cursor.txId === last.txId && result.cursor.position === last.position;
    const done = !result.blockedUntil && wentThrough && rows.length < BATCH;
    const state: DeliveryState = { cursor: result.cursor, retry: result.retry };
    const kept = await this.replays.save(replay.id, this.owner, state, result.delivered, done, result.blockedUntil !== null || this.stopping);
    if (result.blockedUntil) this.wakeAt(result.blockedUntil);
    return kept && !this.stopping;
  }

  private wakeAt(at: Date): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    this.timer = setTimeout(() => this.loop?.wake(), Math.max(0, at.getTime() - Date.now()) + 5);
  }
}
