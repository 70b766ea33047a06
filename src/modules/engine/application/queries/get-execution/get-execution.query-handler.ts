import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { ExecutionView, GetExecutionQuery } from '@cognition/engine/contracts';
import { readExecution } from '@cognition/engine/infrastructure/execution-reads';
import { EngineSql } from '../../engine-sql';

@QueryHandler(GetExecutionQuery)
export class GetExecutionQueryHandler implements IQueryHandler<GetExecutionQuery, ExecutionView> {
  constructor(private readonly db: EngineSql) {}

  async execute({ tenantId, executionId, withSteps }: GetExecutionQuery): Promise<ExecutionView> {
    const view = isUuid(executionId) ? await readExecution(this.db.sql, tenantId, executionId, withSteps) : null;
    if (!view) throw new DomainError('EXECUTION_NOT_FOUND', `Execution ${executionId} not found`);
    return view;
  }
}
