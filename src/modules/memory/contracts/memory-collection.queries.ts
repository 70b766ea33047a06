import { Query } from '@nestjs/cqrs';
import type { MemoryCollectionView, MemoryView } from './memory.types';

export class GetMemoryCollectionQuery extends Query<MemoryCollectionView> {
  constructor(
    readonly tenantId: string,
    readonly collectionId: string,
  ) {
    super();
  }
}

/** Collections, newest first, with their memory counts. */
export class ListMemoryCollectionsQuery extends Query<{ items: MemoryCollectionView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

/** The collection's visible members (not deleted, not expired; archived included), newest memory first. */
export class ListCollectionMemoriesQuery extends Query<{ items: MemoryView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly collectionId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
