import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import type { DomainEvent } from '@cognition/platform/domain';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import {
  CreateMemoriesCommand,
  DuplicateMemoriesDetected,
  MEMORY_IMPORTANCE,
  MemoriesMerged,
  MemoryArchived,
  MemoryCompressed,
  MemoryDeleted,
  MemoryRemovedFromCollection,
  type NewMemory,
  type PolicyApplication,
} from '@cognition/memory/contracts';
import type { MemoryPolicy } from '@cognition/memory/domain/lifecycle/memory-policy.aggregate';
import { importanceRankOf } from '@cognition/memory/domain/lifecycle/memory-policy-settings';
import { MemoryPolicyRepository } from '@cognition/memory/domain/lifecycle/memory-policy.repository.port';
import type { PlannedMerge, PolicyPlan } from '@cognition/memory/domain/lifecycle/policy-plan';
import { MAX_TAGS } from '@cognition/memory/domain/memory-fields';
import { type ChangedMemory, type MergeSource, MemoryPolicyActionsWriter } from '@cognition/memory/infrastructure/memory-policy-actions.writer';
import { MemorySummarizer, type Summary } from './memory-summarizer';

/** The dry run's report of a plan: what a real run would do (summaries do not exist yet). */
export function dryRunReport(policyId: string, plan: PolicyPlan): PolicyApplication {
  return {
    policyId,
    dryRun: true,
    compressed: plan.merges.map((m) => ({ summaryId: null, memoryIds: [...m.memberIds] })),
    archived: [...plan.archived],
    deleted: [...plan.deleted],
    evicted: [...plan.evicted],
    expired: [...plan.expired],
  };
}

const common = <T>(values: T[]): T | null => (values.every((v) => v === values[0]) ? values[0] : null);

/**
 * Executes a policy's plan in the caller's transaction: locks the memories it touches, writes each
 * merge's summary memory (CreateMemoriesCommand, then `summaryOf`) and marks the originals
 * compressed, archives, soft-deletes (deleteAfterDays, eviction, expiry; deleted memories leave
 * their collections), records every event and the policy's LifecyclePolicyApplied.
 */
@Injectable()
export class MemoryPolicyExecutor {
  constructor(
    private readonly writer: MemoryPolicyActionsWriter,
    private readonly summarizer: MemorySummarizer,
    private readonly commands: CommandBus,
    private readonly outbox: OutboxWriter,
    private readonly policies: MemoryPolicyRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(policy: MemoryPolicy, plan: PolicyPlan): Promise<PolicyApplication> {
    const { tenantId } = policy;
    const rules = policy.settings;
    const threshold = importanceRankOf(rules.importanceThreshold);
    await this.writer.lock([...plan.merges.flatMap((m) => m.memberIds), ...plan.archived, ...plan.deleted, ...plan.evicted, ...plan.expired]);
    const events: DomainEvent[] = [];
    const compressed: PolicyApplication['compressed'] = [];
    for (const merge of plan.merges) {
      const done = await this.merge(tenantId, merge, threshold, events);
      if (done) compressed.push(done);
    }
    const archived = await this.writer.archive(tenantId, plan.archived, threshold);
    events.push(...archived.map((m) => new MemoryArchived(tenantId, m.id, { memoryId: m.id, namespace: m.namespace, reason: `policy ${rules.name}: older than ${rules.archiveAfterDays} days` })));
    const deleted = await this.softDelete(tenantId, plan.deleted, threshold, `policy ${rules.name}: older than ${rules.deleteAfterDays} days`, events);
    const evicted = await this.softDelete(tenantId, plan.evicted, threshold, `policy ${rules.name}: beyond maxMemories ${rules.maxMemories}`, events);
    const expired = await this.softDelete(tenantId, plan.expired, threshold, 'expired', events, true);
    await this.outbox.append(events);
    const ids = (changed: ChangedMemory[]) => changed.map((m) => m.id);
    policy.applied({ compressed: compressed.reduce((n, c) => n + c.memoryIds.length, 0), archived: archived.length, deleted: deleted.length, evicted: evicted.length, expired: expired.length });
    await this.policies.update(policy);
    return { policyId: policy.id, dryRun: false, compressed, archived: ids(archived), deleted: ids(deleted), evicted: ids(evicted), expired: ids(expired) };
  }

  private async merge(tenantId: string, merge: PlannedMerge, threshold: number, events: DomainEvent[]): Promise<PolicyApplication['compressed'][number] | null> {
    const sources = await this.writer.mergeSources(tenantId, merge.memberIds, threshold);
    if (sources.length < 2) return null;
    const ids = sources.map((s) => s.id);
    const summary = await this.summarizer.summarize(tenantId, sources);
    const [view] = await this.commands.execute(new CreateMemoriesCommand(tenantId, [await this.summaryMemory(sources, summary, merge)]));
    await this.writer.setSummaryOf(view.id, ids);
    const changed = await this.writer.markCompressed(tenantId, ids, threshold);
    if (merge.kind === 'duplicates') {
      const [leader, ...duplicates] = ids;
      events.push(new DuplicateMemoriesDetected(tenantId, leader, { memoryId: leader, namespace: merge.namespace, duplicateIds: duplicates, similarity: merge.similarity ?? 1 }));
    }
    events.push(new MemoriesMerged(tenantId, view.id, { memoryId: view.id, namespace: merge.namespace, summaryOf: ids, method: summary.method }));
    events.push(...changed.map((m) => new MemoryCompressed(tenantId, m.id, { memoryId: m.id, namespace: m.namespace, summaryId: view.id })));
    return { summaryId: view.id, memoryIds: ids };
  }

  /**
   * The summary memory: the members' namespace and type, their common scope, user, agent and
   * session (else global / none), their highest importance, every tag, and the latest expiry when
   * all of them expire. Its vector comes from the embedding provider, except for members whose
   * vectors came from another model: then the normalised mean of theirs, with their model.
   */
  private async summaryMemory(sources: MergeSource[], summary: Summary, merge: PlannedMerge): Promise<NewMemory> {
    const model = common(sources.map((s) => s.embeddingModel));
    const mean = model && model !== this.config.get('EMBEDDING_MODEL') ? await this.writer.meanVector(sources.map((s) => s.id)) : null;
    const expiries = sources.map((s) => s.expiresAt);
    return {
      content: summary.content,
      memoryType: merge.memoryType as NewMemory['memoryType'],
      namespace: merge.namespace,
      scope: common(sources.map((s) => s.scope)) ?? 'global',
      userId: common(sources.map((s) => s.userId)),
      agentId: common(sources.map((s) => s.agentId)),
      sessionId: common(sources.map((s) => s.sessionId)),
      importance: MEMORY_IMPORTANCE[Math.max(...sources.map((s) => s.importanceRank)) - 1],
      tags: [...new Set(sources.flatMap((s) => s.tags))].sort().slice(0, MAX_TAGS),
      metadata: { summary: { kind: merge.kind, method: summary.method, memberCount: sources.length } },
      expiresAt: expiries.every((e) => e !== null) ? new Date(Math.max(...expiries.map((e) => e!.getTime()))).toISOString() : null,
      ...(mean ? { embedding: mean, embeddingModel: model } : {}),
    };
  }

  private async softDelete(tenantId: string, ids: string[], threshold: number, reason: string, events: DomainEvent[], expiredOnly = false): Promise<ChangedMemory[]> {
    const changed = await this.writer.softDelete(tenantId, ids, threshold, expiredOnly);
    events.push(...changed.map((m) => new MemoryDeleted(tenantId, m.id, { memoryId: m.id, namespace: m.namespace, reason, purged: false })));
    const left = await this.writer.leaveCollections(changed.map((m) => m.id));
    events.push(...left.map((r) => new MemoryRemovedFromCollection(tenantId, r.collectionId, { collectionId: r.collectionId, memoryId: r.memoryId, reason: 'memory deleted' })));
    return changed;
  }
}
