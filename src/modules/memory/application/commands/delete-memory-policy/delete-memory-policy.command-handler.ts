import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { DeleteMemoryPolicyCommand } from '@cognition/memory/contracts';
import { loadMemoryPolicy, MemoryPolicyRepository } from '@cognition/memory/domain/lifecycle/memory-policy.repository.port';

/** Deletes the policy; what it already did to memories stays. */
@CommandHandler(DeleteMemoryPolicyCommand)
export class DeleteMemoryPolicyCommandHandler implements ICommandHandler<DeleteMemoryPolicyCommand, void> {
  constructor(private readonly policies: MemoryPolicyRepository) {}

  @Transactional()
  async execute({ tenantId, policyId }: DeleteMemoryPolicyCommand): Promise<void> {
    const policy = await loadMemoryPolicy(this.policies, tenantId, policyId, true);
    policy.delete();
    await this.policies.delete(policy);
  }
}
