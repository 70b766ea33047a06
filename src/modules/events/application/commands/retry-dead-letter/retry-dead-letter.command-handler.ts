import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { DurableSubscribers } from '@cognition/platform/outbox/durable-subscribers';
import { EventTypeRegistry } from '@cognition/platform/outbox/event-type.registry';
import { HandlerFailure, handlerFailureOf } from '@cognition/platform/outbox/handler-failure';
import { DeadLetterRetryResult, RetryDeadLetterCommand } from '@cognition/events/contracts';
import { DeadLetterRow, DeadLetterStore, deadLetterView } from '@cognition/events/infrastructure/dead-letter-store';
import { EventStoreReads } from '@cognition/events/infrastructure/event-store-reads';

/**
 * Delivers a dead letter's event to its subscriber once, in this process, now: `delivered` makes it
 * `retried`; a failure keeps it `dead` with one more attempt and the new error (as does a subscriber
 * this process does not run, or an event no longer in the store). Not in a transaction of ours: the
 * handler runs as the relay runs it. A dead letter resolved meanwhile is 409 DEAD_LETTER_RESOLVED.
 */
@CommandHandler(RetryDeadLetterCommand)
export class RetryDeadLetterCommandHandler implements ICommandHandler<RetryDeadLetterCommand, DeadLetterRetryResult> {
  constructor(
    private readonly deadLetters: DeadLetterStore,
    private readonly events: EventStoreReads,
    private readonly subscribers: DurableSubscribers,
    private readonly registry: EventTypeRegistry,
  ) {}

  async execute({ tenantId, deadLetterId }: RetryDeadLetterCommand): Promise<DeadLetterRetryResult> {
    const found = isUuid(deadLetterId) ? await this.deadLetters.get(tenantId, deadLetterId) : undefined;
    if (!found) throw new DomainError('DEAD_LETTER_NOT_FOUND', `Dead letter ${deadLetterId} not found`);
    if (found.status !== 'dead') throw resolved(found);
    const failure = await this.deliver(found);
    const row = failure ? await this.deadLetters.markFailed(found.id, failure) : await this.deadLetters.markRetried(found.id);
    if (!row) throw resolved((await this.deadLetters.get(tenantId, found.id)) ?? found);
    return { outcome: failure ? 'failed' : 'delivered', deadLetter: deadLetterView(row) };
  }

  /** Null when the handler took the event; else why not. */
  private async deliver(dead: DeadLetterRow): Promise<HandlerFailure | null> {
    const subscriber = this.subscribers.get(dead.subscriber);
    if (!subscriber) return { code: 'SUBSCRIBER_NOT_FOUND', message: `subscriber ${dead.subscriber} is not registered in this process` };
    const event = await this.events.byId(dead.event_id);
    if (!event) return { code: 'EVENT_NOT_FOUND', message: `event ${dead.event_id} is no longer in the event store` };
    try {
      await subscriber.handler.handle(this.registry.fromRow(event));
      return null;
    } catch (error) {
      return handlerFailureOf(error);
    }
  }
}

function resolved(row: DeadLetterRow): DomainError {
  return new DomainError('DEAD_LETTER_RESOLVED', `Dead letter ${row.id} is ${row.status} already; only a dead one can be retried`);
}
