import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import type { Page } from '@cognition/platform/pagination/cursor';
import { ListCollectionMemoriesQuery, type MemoryView } from '@cognition/memory/contracts';
import { MemoryCollectionReads } from '@cognition/memory/infrastructure/memory-collection.reads';

@QueryHandler(ListCollectionMemoriesQuery)
export class ListCollectionMemoriesQueryHandler implements IQueryHandler<ListCollectionMemoriesQuery, Page<MemoryView>> {
  constructor(private readonly reads: MemoryCollectionReads) {}

  async execute({ tenantId, collectionId, limit, cursor }: ListCollectionMemoriesQuery): Promise<Page<MemoryView>> {
    if (!(await this.reads.get(tenantId, collectionId))) throw new DomainError('MEMORY_COLLECTION_NOT_FOUND', `Memory collection ${collectionId} not found`);
    return this.reads.members(tenantId, collectionId.toLowerCase(), limit, cursor);
  }
}
