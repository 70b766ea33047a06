import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '@cognition/platform/pagination/cursor';
import { ListMemoryCollectionsQuery, type MemoryCollectionView } from '@cognition/memory/contracts';
import { MemoryCollectionReads } from '@cognition/memory/infrastructure/memory-collection.reads';

@QueryHandler(ListMemoryCollectionsQuery)
export class ListMemoryCollectionsQueryHandler implements IQueryHandler<ListMemoryCollectionsQuery, Page<MemoryCollectionView>> {
  constructor(private readonly reads: MemoryCollectionReads) {}

  execute({ tenantId, limit, cursor }: ListMemoryCollectionsQuery): Promise<Page<MemoryCollectionView>> {
    return this.reads.list(tenantId, limit, cursor);
  }
}
