import { Query } from '@nestjs/cqrs';
import type { Page } from '@cognition/platform/pagination/cursor';
import type { DeadLetterListFilter, DeadLetterView, EventEnvelope, EventListFilter, ReplayView, SubscriptionView } from './events.types';

/** The tenant's events in store order, `(tx_id, position)`, keyset-paginated. */
export class ListEventsQuery extends Query<Page<EventEnvelope>> {
  constructor(
    readonly tenantId: string,
    readonly filter: EventListFilter,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

/** Every durable subscriber of this process, with the tenant's view of it. */
export class ListSubscriptionsQuery extends Query<{ items: SubscriptionView[] }> {
  constructor(readonly tenantId: string) {
    super();
  }
}

/** One replay of the tenant; 404 REPLAY_NOT_FOUND otherwise. */
export class GetReplayQuery extends Query<ReplayView> {
  constructor(
    readonly tenantId: string,
    readonly subscriber: string,
    readonly replayId: string,
  ) {
    super();
  }
}

/** Dead letters, newest first. `tenantId` null: every tenant's (the CLI). */
export class ListDeadLettersQuery extends Query<Page<DeadLetterView>> {
  constructor(
    readonly tenantId: string | null,
    readonly filter: DeadLetterListFilter,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
