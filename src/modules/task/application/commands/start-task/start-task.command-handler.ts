import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { StartTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';

@CommandHandler(StartTaskCommand)
export class StartTaskCommandHandler implements ICommandHandler<StartTaskCommand, TaskView> {
  constructor(private readonly tasks: TaskRepository) {}

  @Transactional()
  async execute({ tenantId, taskId, agentId }: StartTaskCommand): Promise<TaskView> {
    const task = await loadTask(this.tasks, tenantId, taskId);
    task.start(agentId);
    await this.tasks.update(task);
    return task.toView();
  }
}
