import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { RetryTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';

@CommandHandler(RetryTaskCommand)
export class RetryTaskCommandHandler implements ICommandHandler<RetryTaskCommand, TaskView> {
  constructor(private readonly tasks: TaskRepository) {}

  @Transactional()
  async execute({ tenantId, taskId }: RetryTaskCommand): Promise<TaskView> {
    const task = await loadTask(this.tasks, tenantId, taskId);
    task.retry();
    await this.tasks.update(task);
    return task.toView();
  }
}
