import { Injectable } from '@nestjs/common';
import { NEAR_DUPLICATE_SIMILARITY } from '@cognition/memory/domain/dedup/near-duplicate-groups';
import type { MemoryPolicy } from '@cognition/memory/domain/lifecycle/memory-policy.aggregate';
import { importanceRankOf } from '@cognition/memory/domain/lifecycle/memory-policy-settings';
import { compressionCandidates, planPolicy, type PolicyPlan } from '@cognition/memory/domain/lifecycle/policy-plan';
import { MemoryPolicyPlanReader } from '@cognition/memory/infrastructure/memory-policy-plan.reader';

/**
 * Reads what a policy's plan needs and computes it: the one code path of both the dry run and the
 * real run, so a dry run reports exactly what a real run at the same moment does.
 */
@Injectable()
export class MemoryPolicyPlanner {
  constructor(private readonly reader: MemoryPolicyPlanReader) {}

  async plan(policy: MemoryPolicy): Promise<PolicyPlan> {
    const rules = policy.settings;
    const threshold = importanceRankOf(rules.importanceThreshold);
    const now = await this.reader.now();
    const memories = await this.reader.memories(policy.tenantId, rules.namespace, threshold);
    const otherLiveCount = rules.maxMemories === null ? 0 : await this.reader.protectedLiveCount(policy.tenantId, rules.namespace, threshold);
    const candidates = compressionCandidates(rules, memories, now).filter((m) => m.embeddingModel !== null);
    const similarPairs = await this.reader.similarPairs(
      candidates.map((m) => m.id),
      NEAR_DUPLICATE_SIMILARITY,
    );
    return planPolicy({ rules, now, memories, otherLiveCount, similarPairs });
  }
}
