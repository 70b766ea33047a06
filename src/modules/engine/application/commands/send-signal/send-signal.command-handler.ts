import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@cognition/platform/ids/uuid';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { SendSignalCommand } from '@cognition/engine/contracts';
import { assertSignalable } from '@cognition/engine/infrastructure/execution-control';
import { sendSignal } from '@cognition/engine/infrastructure/signals';
import { EngineSql } from '../../engine-sql';

@CommandHandler(SendSignalCommand)
export class SendSignalCommandHandler implements ICommandHandler<SendSignalCommand, { delivered: boolean }> {
  constructor(private readonly db: EngineSql) {}

  @Transactional()
  async execute({ tenantId, executionId, name, payload }: SendSignalCommand): Promise<{ delivered: boolean }> {
    await assertSignalable(this.db.sql, tenantId, executionId);
    return sendSignal(this.db.sql, tenantId, executionId, name, payload, newId());
  }
}
