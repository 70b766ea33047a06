import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '../../../../../platform/transaction/transaction';
import { ExecutionView, RetryExecutionCommand } from '../../../contracts';
import { retryExecution } from '../../../infrastructure/execution-control';
import { readExecution } from '../../../infrastructure/execution-reads';
import { EngineSql } from '../../engine-sql';
import { WorkflowPlans } from '../../workflow-plans';

@CommandHandler(RetryExecutionCommand)
export class RetryExecutionCommandHandler implements ICommandHandler<RetryExecutionCommand, ExecutionView> {
  constructor(
    private readonly db: EngineSql,
    private readonly plans: WorkflowPlans,
  ) {}

  @Transactional()
  async execute({ tenantId, executionId }: RetryExecutionCommand): Promise<ExecutionView> {
    await retryExecution(this.db.sql, tenantId, executionId, (workflowId, version) => this.plans.plan(tenantId, workflowId, version));
    return (await readExecution(this.db.sql, tenantId, executionId, true))!;
  }
}
