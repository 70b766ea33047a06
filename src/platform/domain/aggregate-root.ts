import { DomainEvent } from './domain-event';

/** Aggregates record events while their methods change state; the repository drains them into the outbox. */
export abstract class AggregateRoot {
  private pendingEvents: DomainEvent[] = [];

  protected record(event: DomainEvent): void {
    this.pendingEvents.push(event);
  }

  /** Returns the events recorded since the last call and forgets them. */
  pullEvents(): DomainEvent[] {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    return events;
  }

  peekEvents(): readonly DomainEvent[] {
    return this.pendingEvents;
  }
}
