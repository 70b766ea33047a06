import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { ExecutionView, ListExecutionsQuery } from '@cognition/engine/contracts';
import { listExecutions } from '@cognition/engine/infrastructure/execution-reads';
import { EngineSql } from '../../engine-sql';

@QueryHandler(ListExecutionsQuery)
export class ListExecutionsQueryHandler implements IQueryHandler<ListExecutionsQuery, Page<ExecutionView>> {
  constructor(private readonly db: EngineSql) {}

  async execute({ tenantId, filter, limit, cursor }: ListExecutionsQuery): Promise<Page<ExecutionView>> {
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    const rows = await listExecutions(this.db.sql, tenantId, { ...filter, before: after?.id }, limit + 1);
    return toPage(rows, limit, (r) => r, (r) => ({ id: r.id }));
  }
}
