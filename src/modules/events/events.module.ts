import { Module } from '@nestjs/common';
import { DeadLettersController } from './api/dead-letters.controller';
import { EventsController } from './api/events.controller';
import { SubscriptionsController } from './api/subscriptions.controller';
import { DiscardDeadLetterCommandHandler } from './application/commands/discard-dead-letter/discard-dead-letter.command-handler';
import { ReplaySubscriptionCommandHandler } from './application/commands/replay-subscription/replay-subscription.command-handler';
import { RetryDeadLetterCommandHandler } from './application/commands/retry-dead-letter/retry-dead-letter.command-handler';
import { EventMetrics } from './application/jobs/event-metrics';
import { ReplayRunner } from './application/jobs/replay-runner';
import { RequestedDeadLetterRetries } from './application/jobs/requested-dead-letter-retries';
import { GetReplayQueryHandler } from './application/queries/get-replay/get-replay.query-handler';
import { ListDeadLettersQueryHandler } from './application/queries/list-dead-letters/list-dead-letters.query-handler';
import { ListEventsQueryHandler } from './application/queries/list-events/list-events.query-handler';
import { ListSubscriptionsQueryHandler } from './application/queries/list-subscriptions/list-subscriptions.query-handler';
import { DeadLetterStore } from './infrastructure/dead-letter-store';
import { EventStoreReads } from './infrastructure/event-store-reads';
import { EventsSql } from './infrastructure/events-sql';
import { ReplayStore } from './infrastructure/replay-store';
import { SubscriptionReads } from './infrastructure/subscription-reads';

/**
 * The event store API (docs/events.md): events, durable subscribers with their lag, replays of one
 * subscriber for one tenant, dead letters. The relay itself, its retries and the dead-lettering are
 * in platform/outbox; this module reads what they write and drives replays and retries.
 */
@Module({
  controllers: [EventsController, SubscriptionsController, DeadLettersController],
  providers: [
    EventsSql,
    EventStoreReads,
    SubscriptionReads,
    ReplayStore,
    { provide: DeadLetterStore, inject: [EventsSql], useFactory: (db: EventsSql) => new DeadLetterStore(db.sql) },
    ListEventsQueryHandler,
    ListSubscriptionsQueryHandler,
    GetReplayQueryHandler,
    ListDeadLettersQueryHandler,
    ReplaySubscriptionCommandHandler,
    RetryDeadLetterCommandHandler,
    DiscardDeadLetterCommandHandler,
    ReplayRunner,
    RequestedDeadLetterRetries,
    EventMetrics,
  ],
})
export class EventsModule {}
