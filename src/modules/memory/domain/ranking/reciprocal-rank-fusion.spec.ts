import { fuseByReciprocalRank, RRF_K } from './reciprocal-rank-fusion';

describe('fuseByReciprocalRank', () => {
  it('scores Σ 1/(60 + rank) over the lists an id appears in and ranks best first', () => {
    const fused = fuseByReciprocalRank([
      ['a', 'b', 'c'],
      ['c', 'a', 'd'],
    ]);
    expect(fused.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
    const byId = Object.fromEntries(fused.map((h) => [h.id, h]));
    expect(byId.a.score).toBeCloseTo(1 / (RRF_K + 1) + 1 / (RRF_K + 2), 12);
    expect(byId.c.score).toBeCloseTo(1 / (RRF_K + 3) + 1 / (RRF_K + 1), 12);
    expect(byId.b.score).toBeCloseTo(1 / (RRF_K + 2), 12);
    expect(byId.d.score).toBeCloseTo(1 / (RRF_K + 3), 12);
    expect(byId.a.ranks).toEqual([1, 2]);
    expect(byId.d.ranks).toEqual([null, 3]);
  });

  it('lets an id found by both lists beat one ranked first by only one', () => {
    const fused = fuseByReciprocalRank([
      ['solo', 'both'],
      ['x', 'both'],
    ]);
    expect(fused[0].id).toBe('both');
  });

  it('breaks equal scores by the best single rank, then by id, deterministically', () => {
    const fused = fuseByReciprocalRank([
      ['b', 'y'],
      ['a', 'z'],
    ]);
    expect(fused.map((h) => h.id)).toEqual(['a', 'b', 'y', 'z']);
  });

  it('counts a duplicate within one list once, at its first position', () => {
    const fused = fuseByReciprocalRank([['a', 'a', 'b']]);
    expect(fused.map((h) => [h.id, h.ranks[0]])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('returns nothing for empty lists and honours another constant', () => {
    expect(fuseByReciprocalRank([[], []])).toEqual([]);
    expect(fuseByReciprocalRank([['a']], 0)[0].score).toBe(1);
  });
});
