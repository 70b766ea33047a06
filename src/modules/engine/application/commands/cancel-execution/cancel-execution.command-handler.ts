import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CancelExecutionCommand, ExecutionView } from '@cognition/engine/contracts';
import { cancelExecution } from '@cognition/engine/infrastructure/execution-control';
import { readExecution } from '@cognition/engine/infrastructure/execution-reads';
import { EngineSql } from '../../engine-sql';

@CommandHandler(CancelExecutionCommand)
export class CancelExecutionCommandHandler implements ICommandHandler<CancelExecutionCommand, ExecutionView> {
  constructor(private readonly db: EngineSql) {}

  @Transactional()
  async execute({ tenantId, executionId }: CancelExecutionCommand): Promise<ExecutionView> {
    await cancelExecution(this.db.sql, tenantId, executionId);
    return (await readExecution(this.db.sql, tenantId, executionId, true))!;
  }
}
