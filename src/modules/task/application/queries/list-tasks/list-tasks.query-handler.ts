import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { ListTasksQuery, TaskView } from '@cognition/task/contracts';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';

/** Newest first (UUIDv7 ids are time-ordered); the cursor is the last id of the page. */
@QueryHandler(ListTasksQuery)
export class ListTasksQueryHandler implements IQueryHandler<ListTasksQuery, Page<TaskView>> {
  constructor(private readonly tasks: TaskRepository) {}

  async execute({ tenantId, filter }: ListTasksQuery): Promise<Page<TaskView>> {
    const { cursor, limit, ...rest } = filter;
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    if (after && !isUuid(after.id)) throw new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);
    const rows = await this.tasks.list(tenantId, { ...rest, limit: limit + 1, beforeId: after?.id });
    return toPage(rows, limit, (t) => t.toView(), (t) => ({ id: t.id }));
  }
}
