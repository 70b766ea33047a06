import { MemoryCollection } from './memory-collection.aggregate';

const TENANT = '00000000-0000-7000-8000-000000000001';

describe('MemoryCollection', () => {
  it('records its creation, membership changes and deletion', () => {
    const c = MemoryCollection.create('c1', TENANT, { name: 'facts', description: null });
    c.memoryAdded('m1');
    c.memoryRemoved('m1', 'removed by request');
    c.delete();
    expect(c.pullEvents().map((e) => [e.type, e.aggregateType, e.payload])).toEqual([
      ['MemoryCollectionCreated', 'MemoryCollection', { collectionId: 'c1', name: 'facts' }],
      ['MemoryAddedToCollection', 'MemoryCollection', { collectionId: 'c1', memoryId: 'm1' }],
      ['MemoryRemovedFromCollection', 'MemoryCollection', { collectionId: 'c1', memoryId: 'm1', reason: 'removed by request' }],
      ['MemoryCollectionDeleted', 'MemoryCollection', { collectionId: 'c1', name: 'facts' }],
    ]);
  });

  it('lists every problem of its name and description', () => {
    expect(() => MemoryCollection.create('c1', TENANT, { name: ' ', description: 'x'.repeat(2001) })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'name' }), expect.objectContaining({ path: 'description' })] }),
    );
    expect(() => MemoryCollection.create('c1', TENANT, { name: 'tab\there' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
