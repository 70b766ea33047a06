import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { GetMemoryQuery, type MemoryView } from '@cognition/memory/contracts';
import { MemoryReadModel } from '@cognition/memory/infrastructure/memory-read-model';
import { memoryNotFound } from '../../load-memory';

/** A live memory; deleted, expired, another tenant's or a malformed id: MEMORY_NOT_FOUND. */
@QueryHandler(GetMemoryQuery)
export class GetMemoryQueryHandler implements IQueryHandler<GetMemoryQuery, MemoryView> {
  constructor(private readonly reads: MemoryReadModel) {}

  async execute({ tenantId, memoryId, includeEmbedding }: GetMemoryQuery): Promise<MemoryView> {
    const view = await this.reads.get(tenantId, memoryId, includeEmbedding);
    if (!view) throw memoryNotFound(memoryId);
    return view;
  }
}
