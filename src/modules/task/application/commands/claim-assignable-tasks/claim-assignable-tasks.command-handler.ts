import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { ClaimAssignableTasksCommand, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';

const MAX_CLAIM = 1000;

/**
 * Default propagation (REQUIRED) joins the caller's transaction, so the row locks hold until the
 * caller commits; called outside one, it runs in its own and the locks end with it.
 */
@CommandHandler(ClaimAssignableTasksCommand)
export class ClaimAssignableTasksCommandHandler implements ICommandHandler<ClaimAssignableTasksCommand, TaskView[]> {
  constructor(private readonly tasks: TaskRepository) {}

  @Transactional()
  async execute({ limit }: ClaimAssignableTasksCommand): Promise<TaskView[]> {
    const n = Math.min(Math.floor(limit), MAX_CLAIM);
    if (!(n > 0)) return [];
    return (await this.tasks.claimAssignable(n)).map((t) => t.toView());
  }
}
