/**
 * Relevance re-ranking of search candidates: a weighted sum of four signals, each in [0, 1].
 *
 * - similarity: the search's own score normalised to [0, 1] by the caller (see SearchMemories);
 * - recency: 2^(−age / half-life), age since the memory was last updated or accessed, whichever is
 *   later (1 now, 0.5 after one half-life; default half-life 30 days);
 * - accessFrequency: log1p(accessCount) / log1p(the highest accessCount among the candidates)
 *   (0 when no candidate was ever accessed);
 * - importance: importance rank / 4 (low 0.25, medium 0.5, high 0.75, critical 1).
 *
 * Weights missing from a request take their default; the weights are then divided by their sum,
 * so the relevance stays in [0, 1].
 */
export interface RelevanceWeights {
  similarity: number;
  recency: number;
  accessFrequency: number;
  importance: number;
}

export const DEFAULT_RELEVANCE_WEIGHTS: Readonly<RelevanceWeights> = Object.freeze({ similarity: 0.6, recency: 0.2, accessFrequency: 0.1, importance: 0.1 });
export const DEFAULT_RECENCY_HALF_LIFE_MS = 30 * 24 * 3600 * 1000;
const WEIGHT_NAMES = ['similarity', 'recency', 'accessFrequency', 'importance'] as const;

export interface RelevanceCandidate {
  /** In [0, 1]. */
  similarity: number;
  accessCount: number;
  /** 1 (low) … 4 (critical). */
  importanceRank: number;
  updatedAt: Date;
  lastAccessedAt: Date | null;
}

export class InvalidRelevanceWeights extends Error {}

/** Fills missing weights with the defaults and scales them to sum 1. Negative, non-finite or all-zero weights are refused. */
export function normaliseWeights(partial: Partial<RelevanceWeights> = {}): RelevanceWeights {
  const merged = { ...DEFAULT_RELEVANCE_WEIGHTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) } as RelevanceWeights;
  for (const name of WEIGHT_NAMES) {
    const w = merged[name];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new InvalidRelevanceWeights(`rerank.${name} must be a finite number ≥ 0`);
  }
  const sum = WEIGHT_NAMES.reduce((s, name) => s + merged[name], 0);
  if (sum <= 0) throw new InvalidRelevanceWeights('rerank weights must not all be 0');
  return { similarity: merged.similarity / sum, recency: merged.recency / sum, accessFrequency: merged.accessFrequency / sum, importance: merged.importance / sum };
}

export function recencyScore(lastTouched: Date, now: Date, halfLifeMs = DEFAULT_RECENCY_HALF_LIFE_MS): number {
  const age = Math.max(0, now.getTime() - lastTouched.getTime());
  return Math.pow(2, -age / halfLifeMs);
}

/** The relevance of each candidate (same order), in [0, 1]. `weights` must be normalised. */
export function relevanceScores(candidates: readonly RelevanceCandidate[], weights: RelevanceWeights, now: Date, halfLifeMs = DEFAULT_RECENCY_HALF_LIFE_MS): number[] {
  const maxAccess = candidates.reduce((m, c) => Math.max(m, c.accessCount), 0);
  const frequencyScale = Math.log1p(maxAccess);
  return candidates.map((c) => {
    const touched = c.lastAccessedAt && c.lastAccessedAt > c.updatedAt ? c.lastAccessedAt : c.updatedAt;
    const similarity = Math.min(1, Math.max(0, c.similarity));
    const frequency = frequencyScale > 0 ? Math.log1p(Math.max(0, c.accessCount)) / frequencyScale : 0;
    const importance = Math.min(4, Math.max(1, c.importanceRank)) / 4;
    return (
      weights.similarity * similarity + weights.recency * recencyScore(touched, now, halfLifeMs) + weights.accessFrequency * frequency + weights.importance * importance
    );
  });
}
