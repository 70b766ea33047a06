import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '@cognition/platform/pagination/cursor';
import { ListMemoryPoliciesQuery, type MemoryPolicyView } from '@cognition/memory/contracts';
import { MemoryPolicyReads } from '@cognition/memory/infrastructure/memory-policy.reads';

@QueryHandler(ListMemoryPoliciesQuery)
export class ListMemoryPoliciesQueryHandler implements IQueryHandler<ListMemoryPoliciesQuery, Page<MemoryPolicyView>> {
  constructor(private readonly reads: MemoryPolicyReads) {}

  execute({ tenantId, limit, cursor }: ListMemoryPoliciesQuery): Promise<Page<MemoryPolicyView>> {
    return this.reads.list(tenantId, limit, cursor);
  }
}
