import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { GetMemoryCollectionQuery, type MemoryCollectionView } from '@cognition/memory/contracts';
import { MemoryCollectionReads } from '@cognition/memory/infrastructure/memory-collection.reads';

@QueryHandler(GetMemoryCollectionQuery)
export class GetMemoryCollectionQueryHandler implements IQueryHandler<GetMemoryCollectionQuery, MemoryCollectionView> {
  constructor(private readonly reads: MemoryCollectionReads) {}

  async execute({ tenantId, collectionId }: GetMemoryCollectionQuery): Promise<MemoryCollectionView> {
    const view = await this.reads.get(tenantId, collectionId);
    if (!view) throw new DomainError('MEMORY_COLLECTION_NOT_FOUND', `Memory collection ${collectionId} not found`);
    return view;
  }
}
