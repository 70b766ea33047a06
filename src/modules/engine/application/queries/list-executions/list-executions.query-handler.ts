import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { ExecutionView, ListExecutionsQuery } from '@cognition/engine/contracts';
import { listExecutions } from '@cognition/engine/infrastructure/execution-reads';
import { EngineSql } from '../../engine-sql';

/** The tenant's executions, newest first, by workflow, status and creation time (`from` ≤ createdAt < `to`). */
@QueryHandler(ListExecutionsQuery)
export class ListExecutionsQueryHandler implements IQueryHandler<ListExecutionsQuery, Page<ExecutionView>> {
  constructor(private readonly db: EngineSql) {}

  async execute({ tenantId, filter, limit, cursor }: ListExecutionsQuery): Promise<Page<ExecutionView>> {
    if (filter.from && filter.to && Date.parse(filter.from) >= Date.parse(filter.to)) {
      throw new DomainError('VALIDATION_FAILED', 'from must be before to', [{ path: 'from', code: 'INVALID_RANGE', message: 'must be before `to`' }]);
    }
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    const rows = await listExecutions(this.db.sql, tenantId, { ...filter, before: after?.id }, limit + 1);
    return toPage(rows, limit, (r) => r, (r) => ({ id: r.id }));
  }
}
