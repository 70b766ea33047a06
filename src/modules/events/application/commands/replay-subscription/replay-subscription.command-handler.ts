import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { DurableSubscribers } from '@cognition/platform/outbox/durable-subscribers';
import { ReplaySubscriptionCommand, ReplayView } from '@cognition/events/contracts';
import { replayFilterOf } from '@cognition/events/domain/replay-request';
import { ReplayStore, replayView } from '@cognition/events/infrastructure/replay-store';
import { SubscriptionReads } from '@cognition/events/infrastructure/subscription-reads';

/**
 * Records a replay (status `pending`) and wakes the runners (ReplayRunner). It covers the tenant's
 * events up to the subscriber's checkpoint as it is now: what comes after reaches the subscriber live.
 * The live checkpoint is not touched, so other tenants see nothing of it.
 */
@CommandHandler(ReplaySubscriptionCommand)
export class ReplaySubscriptionCommandHandler implements ICommandHandler<ReplaySubscriptionCommand, ReplayView> {
  constructor(
    private readonly subscribers: DurableSubscribers,
    private readonly subscriptions: SubscriptionReads,
    private readonly replays: ReplayStore,
  ) {}

  async execute({ tenantId, subscriber, request }: ReplaySubscriptionCommand): Promise<ReplayView> {
    const s = this.subscribers.get(subscriber);
    if (!s) throw new DomainError('SUBSCRIBER_NOT_FOUND', `No durable subscriber is named ${JSON.stringify(subscriber.slice(0, 255))}; GET /subscriptions lists them`);
    const filter = replayFilterOf(request, s.types);
    const upto = await this.subscriptions.checkpoint(s.name);
    return replayView(await this.replays.create(newId(), tenantId, s.name, filter, upto));
  }
}
