import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { type MemoryPolicyView, UpdateMemoryPolicyCommand } from '@cognition/memory/contracts';
import { loadMemoryPolicy, MemoryPolicyRepository } from '@cognition/memory/domain/lifecycle/memory-policy.repository.port';

@CommandHandler(UpdateMemoryPolicyCommand)
export class UpdateMemoryPolicyCommandHandler implements ICommandHandler<UpdateMemoryPolicyCommand, MemoryPolicyView> {
  constructor(private readonly policies: MemoryPolicyRepository) {}

  @Transactional()
  async execute({ tenantId, policyId, input, expectedRevision }: UpdateMemoryPolicyCommand): Promise<MemoryPolicyView> {
    const policy = await loadMemoryPolicy(this.policies, tenantId, policyId);
    if (expectedRevision !== undefined && expectedRevision !== policy.loadedRevision) {
      throw new DomainError('CONCURRENT_MODIFICATION', `Memory policy ${policyId} is at revision ${policy.loadedRevision}, not ${expectedRevision}; reload and retry`);
    }
    policy.replace(input);
    await this.policies.update(policy);
    return policy.toView();
  }
}
