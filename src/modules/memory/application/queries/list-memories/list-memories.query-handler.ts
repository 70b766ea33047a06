import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ListMemoriesQuery, type MemoryView } from '@cognition/memory/contracts';
import { MemoryNamespace } from '@cognition/memory/domain/memory-namespace.value-object';
import { MemoryProblems } from '@cognition/memory/domain/memory-problems';
import { MemoryReadModel } from '@cognition/memory/infrastructure/memory-read-model';

/** Newest first with every filter (namespace = its whole subtree); deleted and expired never listed. */
@QueryHandler(ListMemoriesQuery)
export class ListMemoriesQueryHandler implements IQueryHandler<ListMemoriesQuery, { items: MemoryView[]; nextCursor: string | null }> {
  constructor(private readonly reads: MemoryReadModel) {}

  async execute({ tenantId, filter }: ListMemoriesQuery): Promise<{ items: MemoryView[]; nextCursor: string | null }> {
    if (filter.namespace !== undefined) {
      const problems = new MemoryProblems();
      const problem = MemoryNamespace.problem(filter.namespace);
      if (problem) problems.add('namespace', 'INVALID_FORMAT', problem);
      problems.throwIfAny('filter');
    }
    return this.reads.list(tenantId, filter);
  }
}
