import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { ListTracesQuery, TraceSpanListItem } from '@cognition/trace/contracts';
import { TraceReadModel } from '@cognition/trace/infrastructure/trace-read-model';

@QueryHandler(ListTracesQuery)
export class ListTracesQueryHandler implements IQueryHandler<ListTracesQuery, Page<TraceSpanListItem>> {
  constructor(private readonly traces: TraceReadModel) {}

  async execute({ tenantId, filter, limit, cursor }: ListTracesQuery): Promise<Page<TraceSpanListItem>> {
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    if (after && !isUuid(after.id)) throw new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);
    const rows = await this.traces.list(tenantId, { ...filter, before: after?.id }, limit + 1);
    return toPage(rows, limit, (r) => r, (r) => ({ id: r.id }));
  }
}
