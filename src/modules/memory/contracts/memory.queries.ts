import { Query } from '@nestjs/cqrs';
import type { MemoryFilters, MemorySearchRequest, MemorySearchResult, MemoryStatus, MemoryView } from './memory.types';

export class GetMemoryQuery extends Query<MemoryView> {
  constructor(
    readonly tenantId: string,
    readonly memoryId: string,
    readonly includeEmbedding = false,
  ) {
    super();
  }
}

export class ListMemoriesQuery extends Query<{ items: MemoryView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly filter: MemoryFilters & { status?: MemoryStatus; limit: number; cursor?: string },
  ) {
    super();
  }
}

export class ListMemoryRevisionsQuery extends Query<{ items: { revision: number; content: string; embeddingModel: string | null; createdAt: string }[] }> {
  constructor(
    readonly tenantId: string,
    readonly memoryId: string,
  ) {
    super();
  }
}

/** Vector, full-text or hybrid (reciprocal rank fusion) search with filters; counts an access of each hit. */
export class SearchMemoriesQuery extends Query<MemorySearchResult> {
  constructor(
    readonly tenantId: string,
    readonly request: MemorySearchRequest,
  ) {
    super();
  }
}
