import { SetMetadata } from '@nestjs/common';
import { DomainEvent, DomainEventClass } from '@cognition/platform/domain';

export const DURABLE_HANDLER = 'cognitionos:durable-events-handler';

export interface DurableHandlerOptions {
  /** Stable name: the checkpoint in `event_subscriptions` is kept under it. */
  name: string;
  events: DomainEventClass[];
}

/** A handler that must see every event at least once, in commit order, even across crashes. */
export interface DurableEventHandler<E extends DomainEvent = DomainEvent> {
  handle(event: E): Promise<void>;
  /**
   * Optional: several events, in order, all or nothing — if it throws, none of them may have taken
   * effect (one transaction). Delivery then hands the same events to `handle` one at a time.
   */
  handleBatch?(events: E[]): Promise<void>;
}

/**
 * Marks a provider as a durable subscriber. The outbox relay calls its `handle` for each matching
 * event after the checkpoint, and moves the checkpoint only after `handle` resolved. Handlers must
 * be idempotent (an event is re-delivered if the process dies before the checkpoint moves).
 */
export const DurableEventsHandler = (name: string, ...events: DomainEventClass[]) =>
  SetMetadata(DURABLE_HANDLER, { name, events } satisfies DurableHandlerOptions);
