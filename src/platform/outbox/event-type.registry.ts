import { Injectable } from '@nestjs/common';
import { DomainEvent, DomainEventClass } from '@cognition/platform/domain';

/** An event read back from the outbox whose class no module registered. */
export class StoredDomainEvent extends DomainEvent {
  constructor(
    tenantId: string,
    aggregateId: string,
    payload: Record<string, unknown>,
    occurredAt: Date,
    private readonly storedType: string,
    private readonly storedAggregateType: string,
  ) {
    super(tenantId, aggregateId, payload, occurredAt);
  }
  override get type(): string {
    return this.storedType;
  }
  get aggregateType(): string {
    return this.storedAggregateType;
  }
}

export interface StoredEventRow {
  id: string;
  position: string;
  tx_id: string;
  tenant_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  correlation_id: string | null;
}

/** Maps a stored event type to its class so the relay publishes real instances to the EventBus. */
@Injectable()
export class EventTypeRegistry {
  private readonly classes = new Map<string, DomainEventClass>();

  register(...classes: DomainEventClass[]): void {
    for (const cls of classes) this.classes.set(cls.name, cls);
  }

  has(type: string): boolean {
    return this.classes.has(type);
  }

  fromRow(row: StoredEventRow): DomainEvent {
    const cls = this.classes.get(row.type);
    const occurredAt = new Date(row.occurred_at);
    const event = cls
      ? new cls(row.tenant_id, row.aggregate_id, row.payload, occurredAt)
      : new StoredDomainEvent(row.tenant_id, row.aggregate_id, row.payload, occurredAt, row.type, row.aggregate_type);
    event.metadata = { id: row.id, position: String(row.position), txId: String(row.tx_id), correlationId: row.correlation_id };
    return event;
  }
}
