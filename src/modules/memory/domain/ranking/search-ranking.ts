import { fuseByReciprocalRank } from './reciprocal-rank-fusion';
import { relevanceScores, RelevanceWeights } from './relevance';

export type RankingMode = 'vector' | 'text' | 'hybrid';

/** What re-ranking needs to know of a candidate besides its search score. */
export interface CandidateFacts {
  accessCount: number;
  importanceRank: number;
  updatedAt: Date;
  lastAccessedAt: Date | null;
}

export interface RankingInput {
  mode: RankingMode;
  /** Vector candidates, nearest first, with their cosine similarity (1 − distance). */
  vector: readonly { id: string; similarity: number }[];
  /** Full-text candidates, best first, with their ts_rank_cd. */
  text: readonly { id: string; rank: number }[];
  facts: (id: string) => CandidateFacts;
  k: number;
  minScore?: number;
  rerank: RelevanceWeights | null;
  now: Date;
}

export interface RankedHit {
  id: string;
  score: number;
  scores: { vector?: number; text?: number; relevance?: number };
}

/**
 * Orders search candidates and keeps the best k.
 *
 * - `vector`: score = cosine similarity; `text`: score = ts_rank_cd; `hybrid`: score = reciprocal
 *   rank fusion of the two lists (Σ 1/(60 + rank)), with each list's own score in `scores`.
 * - With re-ranking, score = relevance (see relevance.ts), whose similarity signal is the mode's
 *   score scaled to [0, 1]: the similarity itself (clamped at 0) in vector mode, the score divided
 *   by the best candidate's in text and hybrid mode (ts_rank and fused scores have no fixed scale).
 * - `minScore` applies to the final score (similarity, ts_rank, fused score, or relevance when
 *   re-ranking), after ranking and before keeping k; fewer than k hits may remain.
 */
export function rankSearchCandidates(input: RankingInput): RankedHit[] {
  const similarityOf = new Map(input.vector.map((c) => [c.id, c.similarity]));
  const textRankOf = new Map(input.text.map((c) => [c.id, c.rank]));
  const scoresOf = (id: string): RankedHit['scores'] => ({
    ...(similarityOf.has(id) ? { vector: similarityOf.get(id) } : {}),
    ...(textRankOf.has(id) ? { text: textRankOf.get(id) } : {}),
  });
  let hits: RankedHit[];
  if (input.mode === 'vector') hits = input.vector.map((c) => ({ id: c.id, score: c.similarity, scores: scoresOf(c.id) }));
  else if (input.mode === 'text') hits = input.text.map((c) => ({ id: c.id, score: c.rank, scores: scoresOf(c.id) }));
  else {
    const fused = fuseByReciprocalRank([input.vector.map((c) => c.id), input.text.map((c) => c.id)]);
    hits = fused.map((h) => ({ id: h.id, score: h.score, scores: scoresOf(h.id) }));
  }
  if (input.rerank) hits = rerank(hits, input);
  const kept = input.minScore === undefined ? hits : hits.filter((h) => h.score >= input.minScore!);
  return kept.slice(0, input.k);
}

function rerank(hits: RankedHit[], input: RankingInput): RankedHit[] {
  const best = hits.reduce((m, h) => Math.max(m, h.score), 0);
  const similarity = (h: RankedHit) => (input.mode === 'vector' ? Math.max(0, h.score) : best > 0 ? h.score / best : 0);
  const relevance = relevanceScores(
    hits.map((h) => ({ similarity: similarity(h), ...input.facts(h.id) })),
    input.rerank!,
    input.now,
  );
  return hits
    .map((h, i) => ({ hit: { id: h.id, score: relevance[i], scores: { ...h.scores, relevance: relevance[i] } }, order: i }))
    .sort((a, b) => b.hit.score - a.hit.score || a.order - b.order)
    .map((x) => x.hit);
}
