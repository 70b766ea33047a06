import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { ApplyMemoryPolicyCommand, type PolicyApplication } from '@cognition/memory/contracts';
import { loadMemoryPolicy, MemoryPolicyRepository } from '@cognition/memory/domain/lifecycle/memory-policy.repository.port';
import { MemoryPolicyPlanner } from './memory-policy.planner';
import { dryRunReport, MemoryPolicyExecutor } from './memory-policy.executor';

/**
 * Applies a lifecycle policy in one transaction. A real run locks the policy row first (one
 * application of a policy at a time). The dry run computes the same plan and changes nothing.
 */
@CommandHandler(ApplyMemoryPolicyCommand)
export class ApplyMemoryPolicyCommandHandler implements ICommandHandler<ApplyMemoryPolicyCommand, PolicyApplication> {
  constructor(
    private readonly policies: MemoryPolicyRepository,
    private readonly planner: MemoryPolicyPlanner,
    private readonly executor: MemoryPolicyExecutor,
  ) {}

  @Transactional()
  async execute({ tenantId, policyId, dryRun }: ApplyMemoryPolicyCommand): Promise<PolicyApplication> {
    const policy = await loadMemoryPolicy(this.policies, tenantId, policyId, !dryRun);
    const plan = await this.planner.plan(policy);
    return dryRun ? dryRunReport(policy.id, plan) : this.executor.execute(policy, plan);
  }
}
