import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { ExecutionView, RetryExecutionCommand } from '@cognition/engine/contracts';
import { retryExecution } from '@cognition/engine/infrastructure/execution-control';
import { readExecution } from '@cognition/engine/infrastructure/execution-reads';
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
