import { MemoryNamespace } from './memory-namespace.value-object';
import { MemoryProblems } from './memory-problems';
import { Memory, type ValidNewMemory } from './memory.aggregate';

const TENANT = '00000000-0000-7000-8000-000000000001';
const ID = '01900000-0000-7000-8000-000000000001';

function validate(input: unknown, prefix = '') {
  const problems = new MemoryProblems();
  const value = Memory.validate(input, prefix, problems);
  return { value, problems: problems.toArray() };
}

function created(input: Record<string, unknown> = {}) {
  const { value } = validate({ content: 'original', ...input });
  return Memory.create(TENANT, value as ValidNewMemory, { id: ID, now: new Date('2030-01-01T00:00:00Z'), embedding: { vector: [0.6, 0.8], model: 'm-2' } });
}

describe('Memory validation', () => {
  it('applies the defaults', () => {
    expect(validate({ content: 'x' }).value).toEqual({
      content: 'x',
      memoryType: 'fact',
      scope: 'global',
      namespace: 'default',
      userId: null,
      agentId: null,
      sessionId: null,
      importance: 'medium',
      metadata: {},
      tags: [],
      expiresAt: null,
      embedding: null,
    });
  });

  it('lists every problem at once, with the item prefix', () => {
    const { value, problems } = validate(
      {
        content: '   ',
        memoryType: 'opinion',
        scope: 'session',
        namespace: 'acme.support-team',
        importance: 'urgent',
        metadata: [1],
        tags: ['ok', '', 'ok', 7],
        expiresAt: 'next tuesday',
        embedding: [1, 'two', 3],
        embeddingModel: 'm',
      },
      'items[3]',
    );
    expect(value).toBeUndefined();
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['items[3].content', 'REQUIRED'],
      ['items[3].memoryType', 'INVALID_FORMAT'],
      ['items[3].namespace', 'INVALID_FORMAT'],
      ['items[3].sessionId', 'REQUIRED'],
      ['items[3].importance', 'INVALID_FORMAT'],
      ['items[3].metadata', 'INVALID_TYPE'],
      ['items[3].tags[1]', 'REQUIRED'],
      ['items[3].tags[2]', 'DUPLICATE'],
      ['items[3].tags[3]', 'INVALID_TYPE'],
      ['items[3].expiresAt', 'INVALID_FORMAT'],
      ['items[3].embedding[1]', 'INVALID_TYPE'],
    ]);
  });

  it('needs the owner of a user, agent or session scope', () => {
    expect(validate({ content: 'x', scope: 'user' }).problems).toEqual([expect.objectContaining({ path: 'userId', code: 'REQUIRED' })]);
    expect(validate({ content: 'x', scope: 'agent', agentId: null }).problems).toEqual([expect.objectContaining({ path: 'agentId', code: 'REQUIRED' })]);
    expect(validate({ content: 'x', scope: 'user', userId: 'u1' }).problems).toEqual([]);
  });

  it('limits content, tags and vectors', () => {
    expect(validate({ content: 'x'.repeat(100_001) }).problems).toEqual([expect.objectContaining({ path: 'content', code: 'OUT_OF_RANGE' })]);
    expect(validate({ content: 'x'.repeat(100_000) }).problems).toEqual([]);
    expect(validate({ content: 'x', tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }).problems).toEqual([expect.objectContaining({ path: 'tags', code: 'OUT_OF_RANGE' })]);
    expect(validate({ content: 'x', embedding: [0, 0], embeddingModel: 'm' }).problems).toEqual([expect.objectContaining({ path: 'embedding', code: 'OUT_OF_RANGE' })]);
    expect(validate({ content: 'x', embedding: [], embeddingModel: 'm' }).problems).toEqual([expect.objectContaining({ path: 'embedding', code: 'OUT_OF_RANGE' })]);
    expect(validate({ content: 'x', embedding: [1, Infinity], embeddingModel: 'm' }).problems).toEqual([expect.objectContaining({ path: 'embedding[1]' })]);
  });

  it('needs embeddingModel with an embedding (EMBEDDING_MODEL_REQUIRED), and refuses a model alone', () => {
    const problems = new MemoryProblems();
    Memory.validate({ content: 'x', embedding: [1, 2] }, '', problems);
    expect(() => problems.throwIfAny()).toThrow(expect.objectContaining({ code: 'EMBEDDING_MODEL_REQUIRED' }));
    const mixed = new MemoryProblems();
    Memory.validate({ content: '', embedding: [1, 2] }, '', mixed);
    expect(() => mixed.throwIfAny()).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(validate({ content: 'x', embeddingModel: 'm' }).problems).toEqual([expect.objectContaining({ path: 'embeddingModel' })]);
    expect(validate({ content: 'x', embedding: [1], embeddingModel: 'a\nb' }).problems).toEqual([expect.objectContaining({ path: 'embeddingModel', code: 'INVALID_FORMAT' })]);
  });

  it('checks namespaces as ltree paths', () => {
    expect(['default', 'acme.support.agent42', 'A_b.c9', 'x'.repeat(255)].map(MemoryNamespace.isValid)).toEqual([true, true, true, true]);
    expect(['', 'a..b', '.a', 'a.', 'a-b', 'a b', 'ü', 'x'.repeat(256), Array(65).fill('a').join('.')].map(MemoryNamespace.isValid)).toEqual(Array(9).fill(false));
  });
});

describe('Memory aggregate', () => {
  it('records MemoryCreated and MemoryEmbeddingGenerated on creation', () => {
    const memory = created({ namespace: 'a.b', importance: 'high' });
    expect(memory.pullEvents().map((e) => [e.type, e.payload])).toEqual([
      ['MemoryCreated', { memoryId: ID, namespace: 'a.b', memoryType: 'fact', scope: 'global', importance: 'high', embeddingModel: 'm-2' }],
      ['MemoryEmbeddingGenerated', { memoryId: ID, namespace: 'a.b', embeddingModel: 'm-2', dimensions: 2 }],
    ]);
    expect(memory.toView()).toMatchObject({ status: 'active', revision: 0, createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null });
    expect(memory.toView()).not.toHaveProperty('embedding');
    expect(memory.toView(true).embedding).toEqual([0.6, 0.8]);
  });

  it('keeps the replaced content once per change and needs a new embedding', () => {
    const memory = created();
    memory.markPersisted(4);
    memory.pullEvents();
    expect(memory.changeContent('original')).toBe(false);
    expect(memory.changeContent('second')).toBe(true);
    expect(memory.changeContent('third')).toBe(true);
    expect(memory.replacedContent).toEqual({ revision: 4, content: 'original', embeddingModel: 'm-2' });
    expect(memory.needsEmbedding).toBe(true);
    memory.setEmbedding([1, 0], 'm-2');
    expect(memory.needsEmbedding).toBe(false);
    expect(memory.hasNewEmbedding).toBe(true);
    expect(memory.pullEvents().map((e) => e.type)).toEqual(['MemoryContentUpdated', 'MemoryContentUpdated', 'MemoryEmbeddingGenerated']);
    memory.markPersisted(5);
    expect(memory.replacedContent).toBeNull();
    expect(memory.hasNewEmbedding).toBe(false);
  });

  it('changes importance, archives, reactivates, compresses and soft-deletes with their events', () => {
    const memory = created();
    memory.pullEvents();
    expect(memory.changeImportance('medium')).toBe(false);
    expect(memory.changeImportance('critical')).toBe(true);
    expect(memory.archive('requested')).toBe(true);
    expect(memory.archive('again')).toBe(false);
    expect(memory.reactivate()).toBe(true);
    memory.compress('01900000-0000-7000-8000-0000000000ff');
    expect(memory.status).toBe('compressed');
    memory.softDelete('requested');
    expect(memory.snapshot()).toMatchObject({ status: 'deleted', deletedAt: expect.any(Date) });
    expect(memory.pullEvents().map((e) => [e.type, e.payload])).toEqual([
      ['MemoryImportanceChanged', { memoryId: ID, namespace: 'default', from: 'medium', to: 'critical' }],
      ['MemoryArchived', { memoryId: ID, namespace: 'default', reason: 'requested' }],
      ['MemoryCompressed', { memoryId: ID, namespace: 'default', summaryId: '01900000-0000-7000-8000-0000000000ff' }],
      ['MemoryDeleted', { memoryId: ID, namespace: 'default', reason: 'requested', purged: false }],
    ]);
    expect(() => memory.changeContent('after')).toThrow(expect.objectContaining({ code: 'MEMORY_NOT_FOUND' }));
  });

  it('applies a patch and tells whether anything changed', () => {
    const memory = created({ tags: ['a'], metadata: { k: 1 } });
    const patch = (input: unknown) => {
      const problems = new MemoryProblems();
      const valid = Memory.validatePatch(input, problems);
      problems.throwIfAny('patch');
      return memory.applyPatch(valid!, new Date('2031-01-01T00:00:00Z'));
    };
    expect(patch({ tags: ['a'], metadata: { k: 1 }, content: 'original' })).toBe(false);
    expect(patch({ tags: ['b', 'c'], metadata: null, expiresAt: '2040-01-01T00:00:00Z', namespace: 'x.y' })).toBe(true);
    expect(memory.toView()).toMatchObject({ tags: ['b', 'c'], metadata: {}, expiresAt: '2040-01-01T00:00:00.000Z', namespace: 'x.y', updatedAt: '2031-01-01T00:00:00.000Z' });
    expect(patch({ expiresAt: null })).toBe(true);
    expect(memory.toView().expiresAt).toBeNull();
    expect(() => patch({ memoryType: 'skill', status: 'compressed' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'memoryType' }), expect.objectContaining({ path: 'status' })] }));
  });
});
