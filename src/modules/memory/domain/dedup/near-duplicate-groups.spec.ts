import { nearDuplicateGroups } from './near-duplicate-groups';

describe('nearDuplicateGroups', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, key: id === 'e' ? 'other' : 'k' }));

  it('groups every item similar to its leader, leaders taken in the given order', () => {
    const groups = nearDuplicateGroups(items, [
      { a: 'b', b: 'c', similarity: 0.99 },
      { a: 'c', b: 'd', similarity: 0.96 },
      { a: 'd', b: 'b', similarity: 0.95 },
    ], 10);
    expect(groups).toEqual([{ leaderId: 'b', memberIds: ['b', 'c', 'd'], similarity: 0.95 }]);
  });

  it('skips pairs across keys, below the threshold, or naming unknown items, and caps the group size', () => {
    expect(nearDuplicateGroups(items, [{ a: 'a', b: 'e', similarity: 1 }], 10)).toEqual([]);
    expect(nearDuplicateGroups(items, [{ a: 'a', b: 'b', similarity: 0.949 }], 10)).toEqual([]);
    expect(nearDuplicateGroups(items, [{ a: 'a', b: 'zz', similarity: 1 }], 10)).toEqual([]);
    const all = [{ a: 'a', b: 'b', similarity: 1 }, { a: 'a', b: 'c', similarity: 1 }, { a: 'a', b: 'd', similarity: 1 }];
    expect(nearDuplicateGroups(items, all, 3)).toEqual([{ leaderId: 'a', memberIds: ['a', 'b', 'c'], similarity: 1 }]);
  });
});
