import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { DomainEvent } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';

export const CORRELATION_ID = 'correlationId';

/**
 * Writes domain events to `domain_events` in the caller's transaction (the transactional outbox).
 * Refuses to write outside a transaction: an event must commit or roll back with its change.
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly cls: ClsService,
  ) {}

  async append(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const host = this.txHost as unknown as Tx;
    if (!host.isTransactionActive()) throw new Error('OutboxWriter.append must run inside a transaction');
    const correlationId = this.cls.isActive() ? (this.cls.get<string>(CORRELATION_ID) ?? null) : null;
    const values: unknown[] = [];
    const rows = events.map((e, i) => {
      const o = i * 8;
      values.push(newId(), e.tenantId, e.type, e.aggregateType, e.aggregateId, JSON.stringify(e.payload), e.occurredAt, correlationId);
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}::jsonb, $${o + 7}, $${o + 8})`;
    });
    await host.tx.query(
      `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id)
       VALUES ${rows.join(', ')}`,
      values,
    );
  }
}
