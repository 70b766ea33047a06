import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { GetMemoryPolicyQuery, type MemoryPolicyView } from '@cognition/memory/contracts';
import { loadMemoryPolicy, MemoryPolicyRepository } from '@cognition/memory/domain/lifecycle/memory-policy.repository.port';

@QueryHandler(GetMemoryPolicyQuery)
export class GetMemoryPolicyQueryHandler implements IQueryHandler<GetMemoryPolicyQuery, MemoryPolicyView> {
  constructor(private readonly policies: MemoryPolicyRepository) {}

  async execute({ tenantId, policyId }: GetMemoryPolicyQuery): Promise<MemoryPolicyView> {
    return (await loadMemoryPolicy(this.policies, tenantId, policyId)).toView();
  }
}
