import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CompleteTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';

@CommandHandler(CompleteTaskCommand)
export class CompleteTaskCommandHandler implements ICommandHandler<CompleteTaskCommand, TaskView> {
  constructor(private readonly tasks: TaskRepository) {}

  @Transactional()
  async execute({ tenantId, taskId, agentId, output }: CompleteTaskCommand): Promise<TaskView> {
    const task = await loadTask(this.tasks, tenantId, taskId);
    task.complete(agentId, output);
    await this.tasks.update(task);
    return task.toView();
  }
}
