import { Command } from '@nestjs/cqrs';
import type { DeadLetterRetryResult, DeadLetterView, ReplayView } from './events.types';

/** The request body of a replay, as received: exactly one of the three must be set (checked by the handler). */
export interface ReplayRequest {
  fromPosition?: string | number;
  aggregateId?: string;
  type?: string;
}

/** Re-delivers the tenant's matching events to one subscriber, in order, on a cursor of its own. */
export class ReplaySubscriptionCommand extends Command<ReplayView> {
  constructor(
    readonly tenantId: string,
    readonly subscriber: string,
    readonly request: ReplayRequest,
  ) {
    super();
  }
}

/** Delivers a dead letter's event to its subscriber once, now. `tenantId` null: any tenant's (operators). */
export class RetryDeadLetterCommand extends Command<DeadLetterRetryResult> {
  constructor(
    readonly tenantId: string | null,
    readonly deadLetterId: string,
  ) {
    super();
  }
}

/** Marks a dead letter `discarded`. `tenantId` null: any tenant's (operators). */
export class DiscardDeadLetterCommand extends Command<DeadLetterView> {
  constructor(
    readonly tenantId: string | null,
    readonly deadLetterId: string,
  ) {
    super();
  }
}
