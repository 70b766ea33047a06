import type { SubscriberState } from '../contracts';

export interface SubscriberFacts {
  /** Some instance's relay holds the subscriber's lock (it is being fed). */
  served: boolean;
  /** It is held at a failing event, waiting for the next attempt. */
  retrying: boolean;
  /** The tenant's events after its checkpoint. */
  lag: number;
}

/** The state a tenant sees (docs/events.md, "Subscribers"): the first that applies of stopped, retrying, catching-up, caught-up. */
export function subscriberStateOf(facts: SubscriberFacts): SubscriberState {
  if (!facts.served) return 'stopped';
  if (facts.retrying) return 'retrying';
  return facts.lag > 0 ? 'catching-up' : 'caught-up';
}
