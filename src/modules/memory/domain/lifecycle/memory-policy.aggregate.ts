import { AggregateRoot } from '@cognition/platform/domain';
import { LifecyclePolicyApplied, LifecyclePolicyCreated, LifecyclePolicyDeleted, LifecyclePolicyUpdated } from '../../contracts/memory.events';
import type { MemoryPolicyInput, MemoryPolicyView } from '../../contracts/memory.types';
import { type MemoryPolicySettings, readPolicySettings } from './memory-policy-settings';

export interface MemoryPolicySnapshot extends MemoryPolicySettings {
  id: string;
  tenantId: string;
  lastAppliedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}

export interface PolicyApplicationCounts {
  compressed: number;
  archived: number;
  deleted: number;
  evicted: number;
  expired: number;
}

/** A lifecycle policy for a namespace subtree (SPEC section 6). */
export class MemoryPolicy extends AggregateRoot {
  /** The revision the row had when loaded (the optimistic-concurrency check of the next save). */
  readonly loadedRevision: number;

  private constructor(private state: MemoryPolicySnapshot) {
    super();
    this.loadedRevision = state.revision;
  }

  /** Checks the input (422 listing every problem) and records LifecyclePolicyCreated. */
  static create(id: string, tenantId: string, input: MemoryPolicyInput, now: Date = new Date()): MemoryPolicy {
    const settings = readPolicySettings(input);
    const policy = new MemoryPolicy({ ...settings, id, tenantId, lastAppliedAt: null, createdAt: now, updatedAt: now, revision: 1 });
    policy.record(new LifecyclePolicyCreated(tenantId, id, { policyId: id, name: settings.name, namespace: settings.namespace }, now));
    return policy;
  }

  static restore(snapshot: MemoryPolicySnapshot): MemoryPolicy {
    return new MemoryPolicy({ ...snapshot });
  }

  get id(): string {
    return this.state.id;
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get settings(): MemoryPolicySettings {
    const { id: _id, tenantId: _t, lastAppliedAt: _l, createdAt: _c, updatedAt: _u, revision: _r, ...settings } = this.state;
    return settings;
  }

  /** Replaces every setting (omitted ones take their defaults). */
  replace(input: MemoryPolicyInput, now: Date = new Date()): void {
    const settings = readPolicySettings(input);
    this.state = { ...this.state, ...settings, updatedAt: now, revision: this.state.revision + 1 };
    this.record(new LifecyclePolicyUpdated(this.tenantId, this.id, { policyId: this.id, name: settings.name, namespace: settings.namespace }, now));
  }

  delete(now: Date = new Date()): void {
    this.record(new LifecyclePolicyDeleted(this.tenantId, this.id, { policyId: this.id, name: this.state.name }, now));
  }

  /** After a real run: the counts of what it did. */
  applied(counts: PolicyApplicationCounts, now: Date = new Date()): void {
    this.state = { ...this.state, lastAppliedAt: now, updatedAt: now, revision: this.state.revision + 1 };
    this.record(new LifecyclePolicyApplied(this.tenantId, this.id, { policyId: this.id, ...counts }, now));
  }

  toSnapshot(): MemoryPolicySnapshot {
    return { ...this.state };
  }

  toView(): MemoryPolicyView {
    const s = this.state;
    return {
      id: s.id,
      name: s.name,
      namespace: s.namespace,
      compressAfterDays: s.compressAfterDays,
      archiveAfterDays: s.archiveAfterDays,
      deleteAfterDays: s.deleteAfterDays,
      importanceThreshold: s.importanceThreshold,
      maxMemories: s.maxMemories,
      ttlDays: s.ttlDays,
      enabled: s.enabled,
      lastAppliedAt: s.lastAppliedAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      revision: s.revision,
    };
  }
}
