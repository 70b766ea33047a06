import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CancelTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';
import { TaskCascade } from '../../task-cascade';

@CommandHandler(CancelTaskCommand)
export class CancelTaskCommandHandler implements ICommandHandler<CancelTaskCommand, TaskView> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly cascade: TaskCascade,
  ) {}

  @Transactional()
  async execute({ tenantId, taskId, reason }: CancelTaskCommand): Promise<TaskView> {
    const task = await loadTask(this.tasks, tenantId, taskId);
    const now = new Date();
    task.cancel(reason, now);
    await this.cascade.save(task, now);
    return task.toView();
  }
}
