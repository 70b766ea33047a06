import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DurableSubscribers } from '@cognition/platform/outbox/durable-subscribers';
import { ListSubscriptionsQuery, SubscriptionView } from '@cognition/events/contracts';
import { subscriberStateOf } from '@cognition/events/domain/subscriber-state';
import { SubscriptionReads } from '@cognition/events/infrastructure/subscription-reads';

/** Lag is counted exactly up to this many events; beyond, it says `capped`. */
export const LAG_COUNT_CAP = 10_000;

/**
 * Every durable subscriber of this process. Subscribers and their checkpoints are global; what is
 * counted is the tenant's own: its events waiting for the subscriber, its dead letters, and the
 * failing event's details only when that event is the tenant's (docs/events.md, "Subscribers").
 */
@QueryHandler(ListSubscriptionsQuery)
export class ListSubscriptionsQueryHandler implements IQueryHandler<ListSubscriptionsQuery, { items: SubscriptionView[] }> {
  constructor(
    private readonly subscribers: DurableSubscribers,
    private readonly reads: SubscriptionReads,
  ) {}

  async execute({ tenantId }: ListSubscriptionsQuery): Promise<{ items: SubscriptionView[] }> {
    const items: SubscriptionView[] = [];
    for (const s of this.subscribers.list()) {
      const types = [...s.types].sort();
      const r = await this.reads.stats(tenantId, s.name, types, LAG_COUNT_CAP + 1);
      const retrying = r.retry_event_id !== null;
      items.push({
        name: s.name,
        eventTypes: types,
        checkpoint: { position: r.position, txId: r.tx_id, updatedAt: r.updated_at ? new Date(r.updated_at).toISOString() : null },
        lag: { events: Math.min(r.lag, LAG_COUNT_CAP), capped: r.lag > LAG_COUNT_CAP },
        deadLetters: r.dead,
        state: subscriberStateOf({ served: r.served, retrying, lag: r.lag }),
        retry:
          retrying && r.retry_is_ours && r.retry_at
            ? { eventId: r.retry_event_id!, attempts: r.retry_attempts, nextAttemptAt: new Date(r.retry_at).toISOString(), error: r.retry_error ?? { message: '' } }
            : null,
      });
    }
    return { items };
  }
}
