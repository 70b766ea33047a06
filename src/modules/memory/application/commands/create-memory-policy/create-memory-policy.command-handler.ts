import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@cognition/platform/ids/uuid';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CreateMemoryPolicyCommand, type MemoryPolicyView } from '@cognition/memory/contracts';
import { MemoryPolicy } from '@cognition/memory/domain/lifecycle/memory-policy.aggregate';
import { MemoryPolicyRepository } from '@cognition/memory/domain/lifecycle/memory-policy.repository.port';

@CommandHandler(CreateMemoryPolicyCommand)
export class CreateMemoryPolicyCommandHandler implements ICommandHandler<CreateMemoryPolicyCommand, MemoryPolicyView> {
  constructor(private readonly policies: MemoryPolicyRepository) {}

  @Transactional()
  async execute({ tenantId, input }: CreateMemoryPolicyCommand): Promise<MemoryPolicyView> {
    const policy = MemoryPolicy.create(newId(), tenantId, input);
    const view = policy.toView();
    await this.policies.insert(policy);
    return view;
  }
}
