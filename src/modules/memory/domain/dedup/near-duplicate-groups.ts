/**
 * Near-duplicate grouping (framework-free). Memories are near-duplicates when their cosine
 * similarity is at least 0.95 and they share namespace, memory type and embedding model (vectors
 * of different models are never compared). The similar pairs come from the database; this groups them.
 *
 * Leader clustering rather than connected components: similarity is not transitive, and a chain
 * a≈b≈c≈d can join memories that are not alike at all. Taking the items in priority order (most
 * important, then most recent), each item not yet grouped becomes a leader and takes every
 * ungrouped item similar to *it*; so every member of a group is a near-duplicate of its leader.
 */
export const NEAR_DUPLICATE_SIMILARITY = 0.95;

export interface GroupingItem {
  id: string;
  /** Items are only grouped with items of the same key (namespace, type, model). */
  key: string;
}

export interface SimilarPair {
  a: string;
  b: string;
  similarity: number;
}

export interface DuplicateGroup {
  leaderId: string;
  /** The leader first, then its duplicates in priority order. */
  memberIds: string[];
  /** The lowest similarity of a member to the leader. */
  similarity: number;
}

/** `items` in priority order (leaders first); groups of at least 2 and at most `maxGroupSize`. */
export function nearDuplicateGroups(items: GroupingItem[], pairs: SimilarPair[], maxGroupSize: number, minSimilarity = NEAR_DUPLICATE_SIMILARITY): DuplicateGroup[] {
  const order = new Map(items.map((item, i) => [item.id, i]));
  const keyOf = new Map(items.map((item) => [item.id, item.key]));
  const neighbours = new Map<string, { id: string; similarity: number }[]>();
  for (const { a, b, similarity } of pairs) {
    if (a === b || similarity < minSimilarity - 1e-9 || !order.has(a) || !order.has(b) || keyOf.get(a) !== keyOf.get(b)) continue;
    (neighbours.get(a) ?? neighbours.set(a, []).get(a)!).push({ id: b, similarity });
    (neighbours.get(b) ?? neighbours.set(b, []).get(b)!).push({ id: a, similarity });
  }
  const grouped = new Set<string>();
  const groups: DuplicateGroup[] = [];
  for (const { id } of items) {
    if (grouped.has(id)) continue;
    const members = (neighbours.get(id) ?? [])
      .filter((n) => !grouped.has(n.id))
      .sort((x, y) => order.get(x.id)! - order.get(y.id)!)
      .slice(0, Math.max(0, maxGroupSize - 1));
    if (members.length === 0) continue;
    grouped.add(id);
    for (const m of members) grouped.add(m.id);
    groups.push({ leaderId: id, memberIds: [id, ...members.map((m) => m.id)], similarity: Math.min(...members.map((m) => m.similarity)) });
  }
  return groups;
}
