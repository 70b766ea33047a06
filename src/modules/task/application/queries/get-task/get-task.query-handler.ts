import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { GetTaskQuery, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { loadTask } from '../../load-task';

@QueryHandler(GetTaskQuery)
export class GetTaskQueryHandler implements IQueryHandler<GetTaskQuery, TaskView> {
  constructor(private readonly tasks: TaskRepository) {}

  async execute({ tenantId, taskId }: GetTaskQuery): Promise<TaskView> {
    return (await loadTask(this.tasks, tenantId, taskId)).toView();
  }
}
