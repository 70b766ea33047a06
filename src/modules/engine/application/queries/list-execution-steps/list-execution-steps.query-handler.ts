import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { decodeCursor, encodeCursor, Page } from '@cognition/platform/pagination/cursor';
import { ListExecutionStepsQuery, StepExecutionView } from '@cognition/engine/contracts';
import { readExecution, readStepsPage } from '@cognition/engine/infrastructure/execution-reads';
import { EngineSql } from '../../engine-sql';

@QueryHandler(ListExecutionStepsQuery)
export class ListExecutionStepsQueryHandler implements IQueryHandler<ListExecutionStepsQuery, Page<StepExecutionView>> {
  constructor(private readonly db: EngineSql) {}

  async execute({ tenantId, executionId, limit, cursor }: ListExecutionStepsQuery): Promise<Page<StepExecutionView>> {
    const sql = this.db.sql;
    if (!isUuid(executionId) || !(await readExecution(sql, tenantId, executionId, false))) {
      throw new DomainError('EXECUTION_NOT_FOUND', `Execution ${executionId} not found`);
    }
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    const page = await readStepsPage(sql, executionId, after?.id, limit);
    if (!page) {
      throw new DomainError('BAD_REQUEST', 'The cursor is not valid for this execution; use the nextCursor of a previous page', [{ path: 'cursor', message: 'not a cursor of this execution' }]);
    }
    return { items: page.items, nextCursor: page.next ? encodeCursor({ id: page.next }) : null };
  }
}
