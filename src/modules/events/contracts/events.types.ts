import type { EventEnvelope } from '@cognition/platform/outbox/event-envelope';

export type { EventEnvelope };

/** GET /events filters (each optional; the tenant always applies). */
export interface EventListFilter {
  type?: string;
  aggregateType?: string;
  aggregateId?: string;
  /** The position of one of the tenant's events: the list continues strictly after it, in store order. "0": from the start. */
  after?: string;
  /** occurredAt ≥ from. */
  from?: Date;
  /** occurredAt < to. */
  to?: Date;
}

/**
 * How a durable subscriber is doing, seen by one tenant (docs/events.md, "Subscribers"):
 * `stopped` no instance serves it; `retrying` it is held at a failing event (anyone's);
 * `catching-up` events of the tenant wait for it; `caught-up` none do.
 */
export const SUBSCRIBER_STATES = ['caught-up', 'catching-up', 'retrying', 'stopped'] as const;
export type SubscriberState = (typeof SUBSCRIBER_STATES)[number];

export interface HandlerFailureView {
  message: string;
  code?: string;
}

export interface SubscriptionView {
  name: string;
  eventTypes: string[];
  /** The subscriber's live checkpoint (global: one per subscriber). */
  checkpoint: { position: string; txId: string; updatedAt: string | null };
  /** The tenant's events of its types after the checkpoint, counted up to `LAG_COUNT_CAP` (`capped` beyond). */
  lag: { events: number; capped: boolean };
  /** The tenant's open dead letters of this subscriber. */
  deadLetters: number;
  state: SubscriberState;
  /** The failing event it is held at, only when that event is the tenant's. */
  retry: { eventId: string; attempts: number; nextAttemptAt: string; error: HandlerFailureView } | null;
}

/** Exactly one: events at positions ≥ fromPosition, one aggregate's events, or one type's. */
export type ReplayFilter = { fromPosition: string } | { aggregateId: string } | { type: string };

export const REPLAY_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

export interface ReplayView {
  id: string;
  subscriber: string;
  filter: { fromPosition?: string; aggregateId?: string; type?: string };
  status: ReplayStatus;
  /** The subscriber's checkpoint when the replay was asked for: the replay ends there (later events reach it live). */
  uptoPosition: string;
  /** Where the replay is: the position of the last event it went past ("0" before the first). */
  position: string;
  delivered: number;
  deadLettered: number;
  retry: { eventId: string; attempts: number; nextAttemptAt: string; error: HandlerFailureView } | null;
  error: HandlerFailureView | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const DEAD_LETTER_STATUSES = ['dead', 'retried', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface DeadLetterView {
  id: string;
  subscriber: string;
  eventId: string;
  position: string;
  tenantId: string;
  type: string;
  error: HandlerFailureView;
  attempts: number;
  status: DeadLetterStatus;
  createdAt: string;
  resolvedAt: string | null;
  /** Set while a retry asked for by the CLI waits for a process that runs the subscriber. */
  retryRequestedAt: string | null;
}

export interface DeadLetterListFilter {
  subscriber?: string;
  status?: DeadLetterStatus;
}

/** What a retry did: `delivered` (the dead letter is now `retried`) or `failed` (still `dead`, attempts + 1, the new error). */
export interface DeadLetterRetryResult {
  outcome: 'delivered' | 'failed';
  deadLetter: DeadLetterView;
}
