import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import type { DurableSubscriber } from './durable-subscribers';
import { EventTypeRegistry, StoredEventRow } from './event-type.registry';
import { HandlerFailure, handlerFailureOf, HandlerRetryPolicy, retryDelayMs } from './handler-failure';

/** A place in the outbox, `(tx_id, position)`: the relay's delivery order. */
export interface DeliveryCursor {
  txId: string;
  position: string;
}

/** The event a subscriber (or a replay) failed on: attempts so far, when the next one is due, the last error. */
export interface PendingRetry {
  eventId: string;
  attempts: number;
  at: Date;
  error: HandlerFailure;
}

export interface DeliveryState {
  cursor: DeliveryCursor;
  retry: PendingRetry | null;
}

export interface DeliveryResult extends DeliveryState {
  delivered: number;
  deadLettered: number;
  /** Set when delivery stopped at an event whose next attempt is due later: come back then. */
  blockedUntil: Date | null;
}

/**
 * Writes the dead letter of `row` and moves the caller's cursor past it, atomically (one statement),
 * so a crash can neither lose the event nor dead-letter it twice.
 */
export type DeadLetterWrite = (row: StoredEventRow, attempts: number, failure: HandlerFailure) => Promise<void>;

/** Most events handed to one `handleBatch` call. */
export const BATCH_MAX = 200;

export const keyOf = (row: Pick<StoredEventRow, 'tx_id' | 'position'>): DeliveryCursor => ({ txId: String(row.tx_id), position: String(row.position) });

/**
 * Delivers outbox rows, in order, to one durable subscriber, with the retry rule every delivery
 * shares (the relay's live feed, replays): an event whose handler throws is tried again after an
 * exponential backoff (EVENT_HANDLER_RETRY_BASE_MS, doubling, capped by EVENT_HANDLER_RETRY_MAX_MS)
 * without blocking anyone else — delivery stops there and the caller keeps the retry state and comes
 * back when it is due; after EVENT_HANDLER_MAX_ATTEMPTS failed attempts the event is dead-lettered and
 * delivery moves on. Rows of types the subscriber does not take only move the cursor.
 *
 * A subscriber with `handleBatch` gets its events in runs of up to BATCH_MAX, one call each (the
 * trace projection writes a run in one transaction instead of one commit per span). A batch that
 * throws changed nothing (the contract of `handleBatch`); its events are then delivered one by one,
 * which finds the failing event and gives it the retry rule above.
 */
@Injectable()
export class DurableDelivery {
  private readonly logger = new Logger('DurableDelivery');
  readonly policy: HandlerRetryPolicy;

  constructor(
    private readonly registry: EventTypeRegistry,
    config: AppConfig,
  ) {
    this.policy = { maxAttempts: config.get('EVENT_HANDLER_MAX_ATTEMPTS'), baseDelayMs: config.get('EVENT_HANDLER_RETRY_BASE_MS'), maxDelayMs: config.get('EVENT_HANDLER_RETRY_MAX_MS') };
  }

  /** True while `state` waits for a retry that is not due yet (nothing to read until then). */
  static waiting(state: DeliveryState, now = new Date()): boolean {
    return state.retry !== null && state.retry.at > now;
  }

  async deliver(subscriber: DurableSubscriber, rows: StoredEventRow[], start: DeliveryState, deadLetter: DeadLetterWrite, stopped: () => boolean = () => false): Promise<DeliveryResult> {
    let { cursor, retry } = start;
    let delivered = 0;
    let deadLettered = 0;
    /** Rows before this index go one by one: a batch over them failed. */
    let singlyUntil = 0;
    for (let i = 0; i < rows.length; i++) {
      if (stopped()) break;
      const row = rows[i];
      if (subscriber.types.has(row.type)) {
        if (i >= singlyUntil && retry?.eventId !== row.id) {
          const run = this.batchAt(subscriber, rows, i);
          if (run) {
            try {
              await subscriber.handler.handleBatch!(run.events.map((r) => this.registry.fromRow(r)));
              delivered += run.events.length;
              retry = null;
              cursor = keyOf(rows[run.end - 1]);
              i = run.end - 1;
              continue;
            } catch {
              singlyUntil = run.end; // one by one: finds the failing event and gives it the retry rule
            }
          }
        }
        // A retry state is about the next event only (anything else is stale: the cursor was moved).
        const prior = retry?.eventId === row.id ? retry : null;
        retry = null;
        if (prior && prior.at > new Date()) return { cursor, retry: prior, delivered, deadLettered, blockedUntil: prior.at };
        try {
          await subscriber.handler.handle(this.registry.fromRow(row));
          delivered++;
        } catch (error) {
          const failure = handlerFailureOf(error);
          const attempts = (prior?.attempts ?? 0) + 1;
          if (attempts < this.policy.maxAttempts) {
            const at = new Date(Date.now() + retryDelayMs(this.policy, attempts));
            this.logger.warn(
              { subscriber: subscriber.name, eventId: row.id, type: row.type, attempts, nextAttemptAt: at.toISOString(), error: failure.message },
              `subscriber ${subscriber.name} failed on event ${row.id} (${row.type}), attempt ${attempts} of ${this.policy.maxAttempts}: ${failure.message}`,
            );
            retry = { eventId: row.id, attempts, at, error: failure };
            return { cursor, retry, delivered, deadLettered, blockedUntil: at };
          }
          this.logger.error(
            { subscriber: subscriber.name, eventId: row.id, type: row.type, attempts, error: failure.message },
            `subscriber ${subscriber.name} dead-lettered event ${row.id} (${row.type}) after ${attempts} attempts: ${failure.message}`,
          );
          await deadLetter(row, attempts, failure);
          deadLettered++;
        }
      }
      cursor = keyOf(row);
    }
    return { cursor, retry, delivered, deadLettered, blockedUntil: null };
  }

  /**
   * The subscriber's events from `rows[from]` on, for one `handleBatch` call: up to BATCH_MAX of them,
   * ending before an event with a retry state (that one goes alone, with its attempts). Null when the
   * subscriber has no `handleBatch` or fewer than two events would go.
   */
  private batchAt(subscriber: DurableSubscriber, rows: StoredEventRow[], from: number): { events: StoredEventRow[]; end: number } | null {
    if (!subscriber.handler.handleBatch) return null;
    const events: StoredEventRow[] = [];
    let end = from;
    for (; end < rows.length && events.length < BATCH_MAX; end++) {
      if (!subscriber.types.has(rows[end].type)) continue;
      events.push(rows[end]);
    }
    return events.length > 1 ? { events, end } : null;
  }
}
