import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { FailTaskCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';
import { TaskCascade } from '../../task-cascade';

/** Ends the attempt; a final failure cancels the task's pending dependents in the same transaction. */
@CommandHandler(FailTaskCommand)
export class FailTaskCommandHandler implements ICommandHandler<FailTaskCommand, TaskView> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly cascade: TaskCascade,
  ) {}

  @Transactional()
  async execute({ tenantId, taskId, agentId, error, disposition, options }: FailTaskCommand): Promise<TaskView> {
    const task = await loadTask(this.tasks, tenantId, taskId);
    const now = new Date();
    task.fail(agentId, error, disposition, options, now);
    await this.cascade.save(task, now);
    return task.toView();
  }
}
