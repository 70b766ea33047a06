import { DomainError } from '@cognition/platform/domain';
import type { MemoryPolicy } from './memory-policy.aggregate';

/** Persistence of lifecycle policies; the adapter runs in the caller's transaction and writes the events. */
export abstract class MemoryPolicyRepository {
  /** A duplicate name in the tenant is DomainError MEMORY_POLICY_EXISTS. */
  abstract insert(policy: MemoryPolicy): Promise<void>;
  /** `forUpdate` locks the row until the transaction ends (one application of a policy at a time). */
  abstract findById(tenantId: string, policyId: string, forUpdate?: boolean): Promise<MemoryPolicy | null>;
  /** Saves the changed settings; a row changed since it was loaded is DomainError CONCURRENT_MODIFICATION. */
  abstract update(policy: MemoryPolicy): Promise<void>;
  abstract delete(policy: MemoryPolicy): Promise<void>;
}

/** The policy, or DomainError MEMORY_POLICY_NOT_FOUND (also for another tenant's or a malformed id). */
export async function loadMemoryPolicy(repo: MemoryPolicyRepository, tenantId: string, policyId: string, forUpdate = false): Promise<MemoryPolicy> {
  const policy = await repo.findById(tenantId, policyId, forUpdate);
  if (!policy) throw new DomainError('MEMORY_POLICY_NOT_FOUND', `Memory policy ${policyId} not found`);
  return policy;
}
