/**
 * Base of every domain event. Framework-free: domain code records these, the outbox stores them,
 * the relay re-creates them from `domain_events` rows and publishes them.
 */
export interface EventMetadata {
  /** Outbox row id (UUIDv7). */
  id: string;
  /** Global order in the outbox (the order of inserts, not of commits). */
  position: string;
  /**
   * The id of the transaction that stored it (`domain_events.tx_id`, an xid8 as text). The relay
   * publishes in `(txId, position)` order; consumers that resume (SSE streams) order by it too.
   */
  txId: string;
  correlationId: string | null;
}

export abstract class DomainEvent<P extends object = Record<string, unknown>> {
  /** Set by the outbox relay when the event is read back from `domain_events`. */
  metadata?: EventMetadata;

  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly payload: P,
    readonly occurredAt: Date = new Date(),
  ) {}

  /** The aggregate kind, e.g. `Workflow`. */
  abstract get aggregateType(): string;

  /** The event type stored in `domain_events.type`: the class name. */
  get type(): string {
    return this.constructor.name;
  }
}

export type DomainEventClass<E extends DomainEvent<any> = DomainEvent<any>> = new (
  tenantId: string,
  aggregateId: string,
  payload: any,
  occurredAt?: Date,
) => E;
