import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../../platform/pagination/cursor';
import { ListMemoryCollectionsQuery, type MemoryCollectionView } from '../../../contracts';
import { MemoryCollectionReads } from '../../../infrastructure/memory-collection.reads';

@QueryHandler(ListMemoryCollectionsQuery)
export class ListMemoryCollectionsQueryHandler implements IQueryHandler<ListMemoryCollectionsQuery, Page<MemoryCollectionView>> {
  constructor(private readonly reads: MemoryCollectionReads) {}

  execute({ tenantId, limit, cursor }: ListMemoryCollectionsQuery): Promise<Page<MemoryCollectionView>> {
    return this.reads.list(tenantId, limit, cursor);
  }
}
