import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CreateTasksCommand, TaskView } from '@cognition/task/contracts';
import { TaskCreator } from '../../task-creator';

@CommandHandler(CreateTasksCommand)
export class CreateTasksCommandHandler implements ICommandHandler<CreateTasksCommand, TaskView[]> {
  constructor(private readonly creator: TaskCreator) {}

  @Transactional()
  execute({ tenantId, tasks, idempotencyKey }: CreateTasksCommand): Promise<TaskView[]> {
    return this.creator.create(tenantId, tasks, true, idempotencyKey);
  }
}
