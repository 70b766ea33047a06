import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CreateTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskCreator } from '../../task-creator';

@CommandHandler(CreateTaskCommand)
export class CreateTaskCommandHandler implements ICommandHandler<CreateTaskCommand, TaskView> {
  constructor(private readonly creator: TaskCreator) {}

  @Transactional()
  async execute({ tenantId, task, idempotencyKey }: CreateTaskCommand): Promise<TaskView> {
    const [created] = await this.creator.create(tenantId, [task], false, idempotencyKey);
    return created;
  }
}
