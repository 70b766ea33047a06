import { compressionCandidates, evictionOrder, MAX_MERGE_GROUP, type PlanMemory, planPolicy, type PolicyRules } from './policy-plan';

const NOW = new Date('2030-06-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const RANK = { low: 1, medium: 2, high: 3, critical: 4 } as const;

let seq = 0;
function mem(overrides: Partial<PlanMemory> & { age?: number; importance?: keyof typeof RANK } = {}): PlanMemory {
  const { age = 1, importance = 'medium', ...rest } = overrides;
  seq++;
  return {
    id: `m${String(seq).padStart(4, '0')}`,
    namespace: 'acme.support',
    memoryType: 'fact',
    embeddingModel: 'hashing-384',
    importanceRank: RANK[importance],
    accessCount: 0,
    lastAccessedAt: null,
    createdAt: daysAgo(age),
    status: 'active',
    expired: false,
    ...rest,
  };
}

const rules = (r: Partial<PolicyRules> = {}): PolicyRules => ({ compressAfterDays: null, archiveAfterDays: null, deleteAfterDays: null, importanceThreshold: 'high', maxMemories: null, ...r });
const plan = (r: Partial<PolicyRules>, memories: PlanMemory[], extra: { pairs?: { a: string; b: string; similarity: number }[]; otherLiveCount?: number } = {}) =>
  planPolicy({ rules: rules(r), now: NOW, memories, similarPairs: extra.pairs ?? [], otherLiveCount: extra.otherLiveCount });

describe('planPolicy', () => {
  it('archives and deletes by age of creation, the strongest action winning', () => {
    const young = mem({ age: 5 });
    const old = mem({ age: 40 });
    const older = mem({ age: 400 });
    const alreadyArchived = mem({ age: 40, status: 'archived' });
    const p = plan({ archiveAfterDays: 30, deleteAfterDays: 365 }, [young, old, older, alreadyArchived]);
    expect(p.archived).toEqual([old.id]);
    expect(p.deleted).toEqual([older.id]);
    expect(p.evicted).toEqual([]);
  });

  it('never touches memories of the importance threshold or above, whatever the rule', () => {
    const high = mem({ age: 999, importance: 'high' });
    const critical = mem({ age: 999, importance: 'critical', expired: true });
    const medium = mem({ age: 999, importance: 'medium' });
    const p = plan({ deleteAfterDays: 1, maxMemories: 1 }, [high, critical, medium]);
    expect(p.deleted).toEqual([medium.id]);
    expect(p.expired).toEqual([]);
    expect(p.evicted).toEqual([]);
    const lower = plan({ deleteAfterDays: 1, importanceThreshold: 'medium' }, [high, medium, mem({ age: 999, importance: 'low' })]);
    expect(lower.deleted).toHaveLength(1);
    expect(plan({ deleteAfterDays: 1, importanceThreshold: 'low' }, [mem({ age: 999, importance: 'low' })]).deleted).toEqual([]);
  });

  it('soft-deletes expired memories before any other rule', () => {
    const expired = mem({ age: 1, expired: true });
    const p = plan({ archiveAfterDays: 30 }, [expired, mem({ age: 2 })]);
    expect(p.expired).toEqual([expired.id]);
    expect(p.archived).toEqual([]);
  });

  it('merges near-duplicates of the same namespace, type and model into one group led by the most important', () => {
    const a = mem({ age: 50 });
    const b = mem({ age: 45, importance: 'low' });
    const c = mem({ age: 40 }); // the most recent of the medium ones: the leader
    const otherType = mem({ age: 40, memoryType: 'preference' });
    const otherModel = mem({ age: 40, embeddingModel: 'text-embedding-3-small' });
    const young = mem({ age: 2 }); // not old enough to be compressed
    const pairs = [
      { a: a.id, b: b.id, similarity: 0.97 },
      { a: a.id, b: c.id, similarity: 0.96 },
      { a: c.id, b: b.id, similarity: 0.99 },
      { a: c.id, b: otherType.id, similarity: 0.99 },
      { a: c.id, b: otherModel.id, similarity: 0.99 },
      { a: c.id, b: young.id, similarity: 0.99 },
    ];
    const p = plan({ compressAfterDays: 30 }, [a, b, c, otherType, otherModel, young], { pairs });
    expect(p.merges).toEqual([{ kind: 'duplicates', namespace: 'acme.support', memoryType: 'fact', memberIds: [c.id, a.id, b.id], similarity: 0.96 }]);
  });

  it('ignores pairs below 0.95 and does not chain a≈b≈c when a and c are not alike', () => {
    const a = mem({ age: 50 });
    const b = mem({ age: 49 });
    const c = mem({ age: 48 });
    const d = mem({ age: 47 });
    const pairs = [
      { a: c.id, b: b.id, similarity: 0.96 },
      { a: b.id, b: a.id, similarity: 0.96 },
      { a: d.id, b: a.id, similarity: 0.94 },
    ];
    const p = plan({ compressAfterDays: 30 }, [a, b, c, d], { pairs });
    expect(p.merges.map((g) => g.memberIds)).toEqual([[c.id, b.id]]);
  });

  it('merges the remaining old low-importance memories per namespace and type, leaving a lone one alone', () => {
    const low = Array.from({ length: MAX_MERGE_GROUP + 3 }, (_, i) => mem({ age: 100 - i, importance: 'low' }));
    const lone = mem({ age: 60, importance: 'low', namespace: 'acme.billing' });
    const medium = mem({ age: 60 });
    const p = plan({ compressAfterDays: 30 }, [...low, lone, medium]);
    expect(p.merges).toHaveLength(2);
    expect(p.merges.every((g) => g.kind === 'low_importance' && g.namespace === 'acme.support')).toBe(true);
    expect(p.merges[0].memberIds).toHaveLength(MAX_MERGE_GROUP);
    expect(p.merges[1].memberIds).toHaveLength(3);
    expect(p.merges[0].memberIds[0]).toBe(low[MAX_MERGE_GROUP - 1].id); // most recent of the chunk first
    const merged = p.merges.flatMap((g) => g.memberIds);
    expect(merged).not.toContain(lone.id);
    expect(merged).not.toContain(medium.id);
  });

  it('compresses only active memories not claimed by a stronger rule', () => {
    const compressed = mem({ age: 40, status: 'compressed', importance: 'low' });
    const archived = mem({ age: 40, status: 'archived', importance: 'low' });
    const toArchive = mem({ age: 100, importance: 'low' });
    const a = mem({ age: 40, importance: 'low' });
    const b = mem({ age: 41, importance: 'low' });
    const r = { compressAfterDays: 30, archiveAfterDays: 90 };
    expect(compressionCandidates(rules(r), [compressed, archived, toArchive, a, b], NOW).map((m) => m.id)).toEqual([b.id, a.id]);
    const p = plan(r, [compressed, archived, toArchive, a, b]);
    expect(p.merges.map((g) => g.memberIds)).toEqual([[a.id, b.id]]);
    expect(p.archived).toEqual([toArchive.id]);
  });

  it('evicts the least relevant beyond maxMemories: lowest importance, fewest accesses, oldest last access', () => {
    const lowUsed = mem({ age: 10, importance: 'low', accessCount: 9 });
    const lowUnused = mem({ age: 5, importance: 'low', accessCount: 0 });
    const mediumOldAccess = mem({ age: 3, accessCount: 2, lastAccessedAt: daysAgo(3) });
    const mediumRecentAccess = mem({ age: 20, accessCount: 2, lastAccessedAt: daysAgo(1) });
    const protectedOne = mem({ age: 50, importance: 'critical' });
    const all = [mediumRecentAccess, protectedOne, lowUsed, mediumOldAccess, lowUnused];
    expect([...all].sort(evictionOrder).map((m) => m.id)).toEqual([lowUnused.id, lowUsed.id, mediumOldAccess.id, mediumRecentAccess.id, protectedOne.id]);
    expect(plan({ maxMemories: 2 }, all).evicted).toEqual([lowUnused.id, lowUsed.id, mediumOldAccess.id]);
    // Live memories counted elsewhere (above the threshold) count towards the maximum too.
    expect(plan({ maxMemories: 4 }, all, { otherLiveCount: 2 }).evicted).toEqual([lowUnused.id, lowUsed.id, mediumOldAccess.id]);
    expect(plan({ maxMemories: 5 }, all).evicted).toEqual([]);
  });

  it('counts deletions, expiries and new summaries before evicting, and never evicts a member of a merge', () => {
    const expired = mem({ age: 1, expired: true });
    const old = mem({ age: 500 });
    const dupA = mem({ age: 40 });
    const dupB = mem({ age: 41 });
    const keep = mem({ age: 2, accessCount: 5 });
    const spare = mem({ age: 3 });
    const p = plan({ compressAfterDays: 30, deleteAfterDays: 365, maxMemories: 3 }, [expired, old, dupA, dupB, keep, spare], {
      pairs: [{ a: dupA.id, b: dupB.id, similarity: 0.99 }],
    });
    // live after: dupA, dupB, keep, spare + 1 summary = 5 → 2 to evict, but only keep and spare may go.
    expect(p.expired).toEqual([expired.id]);
    expect(p.deleted).toEqual([old.id]);
    expect(p.evicted).toEqual([spare.id, keep.id]);
  });

  it('is deterministic: the same reads give the same plan', () => {
    const memories = Array.from({ length: 50 }, (_, i) => mem({ age: 10 + i, importance: i % 3 === 0 ? 'low' : 'medium', accessCount: i % 4 }));
    const r = { compressAfterDays: 20, archiveAfterDays: 45, maxMemories: 10 };
    const first = plan(r, memories);
    expect(plan(r, [...memories].reverse())).toEqual(first);
  });
});
