import { Query } from '@nestjs/cqrs';
import type { MemoryPolicyView } from './memory.types';

export class GetMemoryPolicyQuery extends Query<MemoryPolicyView> {
  constructor(
    readonly tenantId: string,
    readonly policyId: string,
  ) {
    super();
  }
}

/** Policies, newest first. */
export class ListMemoryPoliciesQuery extends Query<{ items: MemoryPolicyView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
