import type { MemoryImportance, MemoryStatus } from '../../contracts/memory.types';
import { nearDuplicateGroups, type SimilarPair } from '../dedup/near-duplicate-groups';
import { importanceRankOf } from './memory-policy-settings';

/**
 * The plan of one application of a lifecycle policy (framework-free). The dry run and the real run
 * both call `planPolicy` on the same reads, so a dry run reports exactly what the real run would do.
 *
 * Rules (SPEC section 6), for the memories of the policy's namespace subtree:
 * - a memory of the policy's `importanceThreshold` or above is never touched (it still counts
 *   towards `maxMemories`);
 * - "older than N days" compares `createdAt` with now − N days;
 * - each memory gets at most one action, the strongest that applies:
 *   expired (expiresAt passed) → soft delete; older than deleteAfterDays → soft delete;
 *   older than archiveAfterDays → archive (active or compressed ones); older than compressAfterDays
 *   → compression (active ones only);
 * - compression merges (1) near-duplicates (cosine ≥ 0.95, same namespace, type and model; see
 *   near-duplicate-groups.ts) and then (2) the remaining old `low` memories, per namespace and
 *   type, oldest first, in groups of at most MAX_MERGE_GROUP; a group needs at least 2 members
 *   (a lone memory stays as it is); at most MAX_COMPRESSION_CANDIDATES memories, oldest first,
 *   are considered per run (the next run continues);
 * - maxMemories: after the other actions, the subtree's live memories (active, compressed and
 *   archived, not expired, plus the summaries this run creates) beyond the maximum are evicted
 *   (soft deleted): least relevant first = lowest importance, then fewest accesses, then oldest
 *   last access (or creation when never accessed), then oldest. Members of this run's merges are
 *   not evicted.
 */
export const MAX_MERGE_GROUP = 20;
export const MAX_COMPRESSION_CANDIDATES = 2000;
const DAY_MS = 86_400_000;

export interface PolicyRules {
  compressAfterDays: number | null;
  archiveAfterDays: number | null;
  deleteAfterDays: number | null;
  importanceThreshold: MemoryImportance;
  maxMemories: number | null;
}

/** What the planner needs of a memory of the subtree (no content, no vector). */
export interface PlanMemory {
  id: string;
  namespace: string;
  memoryType: string;
  embeddingModel: string | null;
  importanceRank: number;
  accessCount: number;
  lastAccessedAt: Date | null;
  createdAt: Date;
  status: Exclude<MemoryStatus, 'deleted'>;
  expired: boolean;
}

export interface PlannedMerge {
  kind: 'duplicates' | 'low_importance';
  namespace: string;
  memoryType: string;
  /** Most important, then most recent first; for duplicates the first is the group's leader. */
  memberIds: string[];
  /** Duplicates: the lowest similarity of a member to the leader. */
  similarity: number | null;
}

export interface PolicyPlan {
  merges: PlannedMerge[];
  archived: string[];
  deleted: string[];
  evicted: string[];
  expired: string[];
}

export interface PlanInput {
  rules: PolicyRules;
  now: Date;
  /** The subtree's memories that are not deleted (expired ones included, flagged). */
  memories: PlanMemory[];
  /** Live memories of the subtree not in `memories` (e.g. those at or above the threshold, counted in SQL). */
  otherLiveCount?: number;
  /** Similar pairs among the compression candidates (see compressionCandidates). */
  similarPairs: SimilarPair[];
}

const olderThan = (m: PlanMemory, days: number | null, now: Date) => days !== null && m.createdAt.getTime() < now.getTime() - days * DAY_MS;
const byAge = (a: PlanMemory, b: PlanMemory) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** Most important, then most recent first (leaders of duplicate groups, order of a summary). */
const byPriority = (a: PlanMemory, b: PlanMemory) => b.importanceRank - a.importanceRank || -byAge(a, b);

/** Least relevant first: lowest importance, fewest accesses, oldest last access, oldest. */
export function evictionOrder(a: PlanMemory, b: PlanMemory): number {
  const lastUse = (m: PlanMemory) => (m.lastAccessedAt ?? m.createdAt).getTime();
  return a.importanceRank - b.importanceRank || a.accessCount - b.accessCount || lastUse(a) - lastUse(b) || byAge(a, b);
}

function isTouchable(m: PlanMemory, rules: PolicyRules): boolean {
  return m.importanceRank < importanceRankOf(rules.importanceThreshold);
}

type Action = 'expired' | 'deleted' | 'archived' | 'compress' | null;

function actionOf(m: PlanMemory, rules: PolicyRules, now: Date): Action {
  if (!isTouchable(m, rules)) return null;
  if (m.expired) return 'expired';
  if (olderThan(m, rules.deleteAfterDays, now)) return 'deleted';
  if (olderThan(m, rules.archiveAfterDays, now)) return m.status === 'archived' ? null : 'archived';
  if (olderThan(m, rules.compressAfterDays, now) && m.status === 'active') return 'compress';
  return null;
}

/** The memories compression may merge, oldest first, capped: the similar pairs are needed among these. */
export function compressionCandidates(rules: PolicyRules, memories: PlanMemory[], now: Date): PlanMemory[] {
  return memories
    .filter((m) => actionOf(m, rules, now) === 'compress')
    .sort(byAge)
    .slice(0, MAX_COMPRESSION_CANDIDATES);
}

function merges(candidates: PlanMemory[], pairs: SimilarPair[]): PlannedMerge[] {
  const byId = new Map(candidates.map((m) => [m.id, m]));
  const prioritized = [...candidates].sort(byPriority);
  const withModel = prioritized.filter((m) => m.embeddingModel !== null);
  const duplicateGroups = nearDuplicateGroups(
    withModel.map((m) => ({ id: m.id, key: JSON.stringify([m.namespace, m.memoryType, m.embeddingModel]) })),
    pairs,
    MAX_MERGE_GROUP,
  );
  const result: PlannedMerge[] = duplicateGroups.map((g) => {
    const leader = byId.get(g.leaderId)!;
    return { kind: 'duplicates', namespace: leader.namespace, memoryType: leader.memoryType, memberIds: g.memberIds, similarity: g.similarity };
  });
  const merged = new Set(duplicateGroups.flatMap((g) => g.memberIds));
  const lowByGroup = new Map<string, PlanMemory[]>();
  for (const m of [...candidates].sort(byAge)) {
    if (merged.has(m.id) || m.importanceRank !== importanceRankOf('low')) continue;
    const key = JSON.stringify([m.namespace, m.memoryType]);
    (lowByGroup.get(key) ?? lowByGroup.set(key, []).get(key)!).push(m);
  }
  for (const group of [...lowByGroup.keys()].sort()) {
    const members = lowByGroup.get(group)!;
    for (let i = 0; i < members.length; i += MAX_MERGE_GROUP) {
      const chunk = members.slice(i, i + MAX_MERGE_GROUP);
      if (chunk.length < 2) continue;
      result.push({ kind: 'low_importance', namespace: chunk[0].namespace, memoryType: chunk[0].memoryType, memberIds: chunk.sort(byPriority).map((m) => m.id), similarity: null });
    }
  }
  return result;
}

export function planPolicy({ rules, now, memories, otherLiveCount = 0, similarPairs }: PlanInput): PolicyPlan {
  const plan: PolicyPlan = { merges: [], archived: [], deleted: [], evicted: [], expired: [] };
  for (const m of [...memories].sort(byAge)) {
    const action = actionOf(m, rules, now);
    if (action === 'expired' || action === 'deleted' || action === 'archived') plan[action].push(m.id);
  }
  plan.merges = merges(compressionCandidates(rules, memories, now), similarPairs);
  if (rules.maxMemories !== null) {
    const gone = new Set([...plan.deleted, ...plan.expired]);
    const merging = new Set(plan.merges.flatMap((g) => g.memberIds));
    const live = otherLiveCount + memories.filter((m) => !m.expired && !gone.has(m.id)).length + plan.merges.length;
    const excess = live - rules.maxMemories;
    if (excess > 0) {
      plan.evicted = memories
        .filter((m) => isTouchable(m, rules) && !m.expired && !gone.has(m.id) && !merging.has(m.id))
        .sort(evictionOrder)
        .slice(0, excess)
        .map((m) => m.id);
      const evicted = new Set(plan.evicted);
      plan.archived = plan.archived.filter((id) => !evicted.has(id));
    }
  }
  return plan;
}
