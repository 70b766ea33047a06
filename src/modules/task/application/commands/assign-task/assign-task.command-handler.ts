import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AssignTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';

@CommandHandler(AssignTaskCommand)
export class AssignTaskCommandHandler implements ICommandHandler<AssignTaskCommand, TaskView> {
  constructor(private readonly tasks: TaskRepository) {}

  @Transactional()
  async execute({ tenantId, taskId, agentId }: AssignTaskCommand): Promise<TaskView> {
    const task = await loadTask(this.tasks, tenantId, taskId);
    task.assign(agentId);
    await this.tasks.update(task);
    return task.toView();
  }
}
