import { Command } from '@nestjs/cqrs';
import type { MemoryPolicyInput, MemoryPolicyView, PolicyApplication } from './memory.types';

/** A lifecycle policy for a namespace subtree; the name is unique per tenant (409 MEMORY_POLICY_EXISTS). */
export class CreateMemoryPolicyCommand extends Command<MemoryPolicyView> {
  constructor(
    readonly tenantId: string,
    readonly input: MemoryPolicyInput,
  ) {
    super();
  }
}

/** Replaces every field (omitted optional fields take their defaults). A stale `expectedRevision` is 409. */
export class UpdateMemoryPolicyCommand extends Command<MemoryPolicyView> {
  constructor(
    readonly tenantId: string,
    readonly policyId: string,
    readonly input: MemoryPolicyInput,
    readonly expectedRevision?: number,
  ) {
    super();
  }
}

export class DeleteMemoryPolicyCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly policyId: string,
  ) {
    super();
  }
}

/**
 * Applies the policy now (enabled or not), or with `dryRun` reports what it would do. Both compute
 * the same plan; a real run executes it in one transaction and reports what it did.
 */
export class ApplyMemoryPolicyCommand extends Command<PolicyApplication> {
  constructor(
    readonly tenantId: string,
    readonly policyId: string,
    readonly dryRun: boolean,
  ) {
    super();
  }
}
