import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { envelopeOfRow, EventEnvelope } from '@cognition/platform/outbox/event-envelope';
import { Page, toPage } from '@cognition/platform/pagination/cursor';
import { ListEventsQuery } from '@cognition/events/contracts';
import { EventStoreReads } from '@cognition/events/infrastructure/event-store-reads';
import { decodeStoreCursor, StoreKey } from '@cognition/events/infrastructure/store-key';

const MAX_POSITION = 2n ** 63n - 1n;

/**
 * The tenant's events in store order. `after` must be the position of one of the tenant's events
 * (or 0): the list continues strictly after it in `(tx_id, position)` order, so an event committed
 * late with a lower position is not skipped; any other position is a 400.
 */
@QueryHandler(ListEventsQuery)
export class ListEventsQueryHandler implements IQueryHandler<ListEventsQuery, Page<EventEnvelope>> {
  constructor(private readonly reads: EventStoreReads) {}

  async execute({ tenantId, filter, limit, cursor }: ListEventsQuery): Promise<Page<EventEnvelope>> {
    const { after, ...rest } = filter;
    if (rest.from && rest.to && rest.from >= rest.to) {
      throw new DomainError('VALIDATION_FAILED', 'from must be before to', [{ path: 'from', code: 'INVALID_RANGE', message: 'must be before `to`' }]);
    }
    const bounds: StoreKey[] = [];
    const page = decodeStoreCursor(cursor);
    if (page) bounds.push(page);
    if (after !== undefined && BigInt(after) > 0n) {
      const anchor = BigInt(after) <= MAX_POSITION ? await this.reads.keyOf(tenantId, BigInt(after).toString()) : undefined;
      if (!anchor) {
        throw new DomainError('BAD_REQUEST', `after=${after} is not the position of one of your events; pass the position of an event you received, or 0`, [
          { path: 'after', code: 'UNKNOWN_POSITION', message: 'not the position of one of your events' },
        ]);
      }
      bounds.push(anchor);
    }
    const rows = await this.reads.list(tenantId, rest, bounds, limit + 1);
    return toPage(rows, limit, envelopeOfRow, (r) => ({ txId: String(r.tx_id), position: String(r.position) }));
  }
}
