import { RRF_K } from './reciprocal-rank-fusion';
import { normaliseWeights } from './relevance';
import { CandidateFacts, RankingInput, rankSearchCandidates } from './search-ranking';

const now = new Date('2025-06-01T00:00:00Z');
const plain: CandidateFacts = { accessCount: 0, importanceRank: 2, updatedAt: now, lastAccessedAt: null };

function input(over: Partial<RankingInput>): RankingInput {
  return { mode: 'hybrid', vector: [], text: [], facts: () => plain, k: 10, rerank: null, now, ...over };
}

describe('rankSearchCandidates', () => {
  const vector = [
    { id: 'a', similarity: 0.9 },
    { id: 'b', similarity: 0.8 },
    { id: 'c', similarity: 0.1 },
  ];
  const text = [
    { id: 'c', rank: 0.5 },
    { id: 'd', rank: 0.2 },
  ];

  it('vector mode: similarity order and score, with the vector score only', () => {
    const hits = rankSearchCandidates(input({ mode: 'vector', vector }));
    expect(hits).toEqual([
      { id: 'a', score: 0.9, scores: { vector: 0.9 } },
      { id: 'b', score: 0.8, scores: { vector: 0.8 } },
      { id: 'c', score: 0.1, scores: { vector: 0.1 } },
    ]);
  });

  it('text mode: ts_rank order and score', () => {
    expect(rankSearchCandidates(input({ mode: 'text', text }))).toEqual([
      { id: 'c', score: 0.5, scores: { text: 0.5 } },
      { id: 'd', score: 0.2, scores: { text: 0.2 } },
    ]);
  });

  it('hybrid: reciprocal rank fusion of both lists, each side’s score kept', () => {
    const hits = rankSearchCandidates(input({ vector, text }));
    expect(hits.map((h) => h.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(hits[0]).toEqual({ id: 'c', score: 1 / (RRF_K + 3) + 1 / (RRF_K + 1), scores: { vector: 0.1, text: 0.5 } });
    expect(hits[1]).toEqual({ id: 'a', score: 1 / (RRF_K + 1), scores: { vector: 0.9 } });
    expect(hits[3].scores).toEqual({ text: 0.2 });
  });

  it('keeps k and drops hits under minScore (applied to the final score)', () => {
    expect(rankSearchCandidates(input({ mode: 'vector', vector, k: 2 })).map((h) => h.id)).toEqual(['a', 'b']);
    expect(rankSearchCandidates(input({ mode: 'vector', vector, minScore: 0.85 })).map((h) => h.id)).toEqual(['a']);
    expect(rankSearchCandidates(input({ vector, text, minScore: 0.02 })).map((h) => h.id)).toEqual(['c']);
  });

  it('re-ranks by relevance: importance and access can lift a less similar memory', () => {
    const facts = (id: string): CandidateFacts => (id === 'b' ? { ...plain, importanceRank: 4, accessCount: 50 } : plain);
    const weights = normaliseWeights({ similarity: 0.3, importance: 0.4, accessFrequency: 0.3, recency: 0 });
    const hits = rankSearchCandidates(input({ mode: 'vector', vector, facts, rerank: weights }));
    expect(hits.map((h) => h.id)).toEqual(['b', 'a', 'c']);
    expect(hits[0].score).toBe(hits[0].scores.relevance);
    expect(hits[0].scores.vector).toBe(0.8);
    expect(hits[0].score).toBeCloseTo(0.3 * 0.8 + 0.4 * 1 + 0.3 * 1, 12);
  });

  it('re-ranking in text and hybrid modes scales the score by the best candidate’s', () => {
    const w = { similarity: 1, recency: 0, accessFrequency: 0, importance: 0 };
    const hits = rankSearchCandidates(input({ mode: 'text', text, rerank: w }));
    expect(hits.map((h) => h.scores.relevance)).toEqual([1, 0.2 / 0.5]);
    const hybrid = rankSearchCandidates(input({ vector, text, rerank: w }));
    expect(hybrid[0].score).toBe(1);
  });

  it('applies minScore to the relevance when re-ranking', () => {
    const w = { similarity: 1, recency: 0, accessFrequency: 0, importance: 0 };
    const hits = rankSearchCandidates(input({ mode: 'text', text, rerank: w, minScore: 0.5 }));
    expect(hits.map((h) => h.id)).toEqual(['c']);
  });
});
