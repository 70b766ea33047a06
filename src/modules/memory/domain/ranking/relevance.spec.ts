import { DEFAULT_RECENCY_HALF_LIFE_MS, InvalidRelevanceWeights, normaliseWeights, recencyScore, relevanceScores } from './relevance';

const DAY = 24 * 3600 * 1000;
const now = new Date('2025-06-01T00:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('normaliseWeights', () => {
  it('uses the defaults 0.6 / 0.2 / 0.1 / 0.1', () => {
    expect(normaliseWeights()).toEqual({ similarity: 0.6, recency: 0.2, accessFrequency: 0.1, importance: 0.1 });
  });

  it('fills missing weights with the defaults and scales to a sum of 1', () => {
    const w = normaliseWeights({ similarity: 1.4, recency: 0 });
    expect(w.similarity + w.recency + w.accessFrequency + w.importance).toBeCloseTo(1, 12);
    expect(w).toEqual({ similarity: 1.4 / 1.6, recency: 0, accessFrequency: 0.1 / 1.6, importance: 0.1 / 1.6 });
  });

  it('refuses negative, non-finite and all-zero weights', () => {
    expect(() => normaliseWeights({ recency: -1 })).toThrow(InvalidRelevanceWeights);
    expect(() => normaliseWeights({ recency: Number.NaN })).toThrow(/recency/);
    expect(() => normaliseWeights({ similarity: 0, recency: 0, accessFrequency: 0, importance: 0 })).toThrow(/all be 0/);
  });
});

describe('recencyScore', () => {
  it('is 1 now, halves every half-life and never exceeds 1 for future dates', () => {
    expect(recencyScore(now, now)).toBe(1);
    expect(recencyScore(ago(30), now)).toBeCloseTo(0.5, 12);
    expect(recencyScore(ago(60), now)).toBeCloseTo(0.25, 12);
    expect(recencyScore(new Date(now.getTime() + DAY), now)).toBe(1);
    expect(recencyScore(ago(1), now, DAY)).toBeCloseTo(0.5, 12);
    expect(DEFAULT_RECENCY_HALF_LIFE_MS).toBe(30 * DAY);
  });
});

describe('relevanceScores', () => {
  const base = { similarity: 0.5, accessCount: 0, importanceRank: 2, updatedAt: now, lastAccessedAt: null };

  it('is the weighted sum of similarity, recency, access frequency and importance', () => {
    const w = normaliseWeights();
    const [score] = relevanceScores([{ similarity: 0.8, accessCount: 3, importanceRank: 3, updatedAt: ago(30), lastAccessedAt: null }], w, now);
    // frequency 1 (the only candidate holds the maximum), recency 0.5, importance 3/4
    expect(score).toBeCloseTo(0.6 * 0.8 + 0.2 * 0.5 + 0.1 * 1 + 0.1 * 0.75, 12);
  });

  it('scales access frequency by the most accessed candidate on a log scale', () => {
    const w = { similarity: 0, recency: 0, accessFrequency: 1, importance: 0 };
    const scores = relevanceScores([{ ...base, accessCount: 99 }, { ...base, accessCount: 9 }, base], w, now);
    expect(scores[0]).toBeCloseTo(1, 12);
    expect(scores[1]).toBeCloseTo(Math.log(10) / Math.log(100), 12);
    expect(scores[2]).toBe(0);
    expect(relevanceScores([base, base], w, now)).toEqual([0, 0]);
  });

  it('counts recency from the later of the last update and the last access', () => {
    const w = { similarity: 0, recency: 1, accessFrequency: 0, importance: 0 };
    const [stale, accessed] = relevanceScores([{ ...base, updatedAt: ago(60) }, { ...base, updatedAt: ago(60), lastAccessedAt: ago(30) }], w, now);
    expect(stale).toBeCloseTo(0.25, 12);
    expect(accessed).toBeCloseTo(0.5, 12);
  });

  it('lets importance and recency reorder candidates of similar similarity', () => {
    const w = normaliseWeights({ similarity: 0.5, importance: 0.5, recency: 0, accessFrequency: 0 });
    const [critical, low] = relevanceScores([{ ...base, similarity: 0.7, importanceRank: 4 }, { ...base, similarity: 0.8, importanceRank: 1 }], w, now);
    expect(critical).toBeGreaterThan(low);
  });

  it('clamps similarity into [0, 1]', () => {
    const w = { similarity: 1, recency: 0, accessFrequency: 0, importance: 0 };
    expect(relevanceScores([{ ...base, similarity: -0.3 }, { ...base, similarity: 1.2 }], w, now)).toEqual([0, 1]);
  });
});
