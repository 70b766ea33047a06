import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { DeadLetterView, ListDeadLettersQuery } from '@cognition/events/contracts';
import { DeadLetterStore, deadLetterView } from '@cognition/events/infrastructure/dead-letter-store';

/** Newest first (UUIDv7 ids); the cursor is the last id of the page. */
@QueryHandler(ListDeadLettersQuery)
export class ListDeadLettersQueryHandler implements IQueryHandler<ListDeadLettersQuery, Page<DeadLetterView>> {
  constructor(private readonly deadLetters: DeadLetterStore) {}

  async execute({ tenantId, filter, limit, cursor }: ListDeadLettersQuery): Promise<Page<DeadLetterView>> {
    const before = decodeCursor<{ id: string }>(cursor, ['id']);
    const rows = await this.deadLetters.list(tenantId, filter, before?.id, limit + 1);
    return toPage(rows, limit, deadLetterView, (r) => ({ id: r.id }));
  }
}
