import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ListMemoryRevisionsQuery } from '@cognition/memory/contracts';
import { MemoryReadModel, type MemoryRevisionView } from '@cognition/memory/infrastructure/memory-read-model';
import { memoryNotFound } from '../../load-memory';

/** The previous contents of a live memory, oldest first (each with the revision it was replaced at). */
@QueryHandler(ListMemoryRevisionsQuery)
export class ListMemoryRevisionsQueryHandler implements IQueryHandler<ListMemoryRevisionsQuery, { items: MemoryRevisionView[] }> {
  constructor(private readonly reads: MemoryReadModel) {}

  async execute({ tenantId, memoryId }: ListMemoryRevisionsQuery): Promise<{ items: MemoryRevisionView[] }> {
    const items = await this.reads.revisions(tenantId, memoryId);
    if (!items) throw memoryNotFound(memoryId);
    return { items };
  }
}
