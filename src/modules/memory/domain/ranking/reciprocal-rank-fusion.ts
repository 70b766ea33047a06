/** The constant of reciprocal rank fusion (Cormack et al. 2009): a hit at rank r scores 1 / (60 + r). */
export const RRF_K = 60;

export interface FusedHit {
  id: string;
  /** Σ over the lists the id appears in of 1 / (RRF_K + rank), rank counted from 1. */
  score: number;
  /** The id's 1-based rank in each list, or null when absent from it (same order as the lists). */
  ranks: (number | null)[];
}

/**
 * Reciprocal rank fusion of ranked lists of ids (each best first, duplicates within a list count
 * at their first position). Best first; ties broken by the best single rank, then by id so the
 * order is deterministic.
 */
export function fuseByReciprocalRank(lists: readonly (readonly string[])[], k = RRF_K): FusedHit[] {
  const fused = new Map<string, FusedHit>();
  lists.forEach((list, listIndex) => {
    const seen = new Set<string>();
    let rank = 0;
    for (const id of list) {
      if (seen.has(id)) continue;
      seen.add(id);
      rank += 1;
      let hit = fused.get(id);
      if (!hit) {
        hit = { id, score: 0, ranks: lists.map(() => null) };
        fused.set(id, hit);
      }
      hit.ranks[listIndex] = rank;
      hit.score += 1 / (k + rank);
    }
  });
  const bestRank = (h: FusedHit) => Math.min(...h.ranks.map((r) => r ?? Infinity));
  return [...fused.values()].sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
