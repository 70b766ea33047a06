import { StepTypeCatalog } from '@cognition/platform/step-types/step-type-catalog';
import { MEMORY_SEARCH_PARAMS, MEMORY_STORE_PARAMS } from './memory-params.schema';

const catalog = new StepTypeCatalog();
catalog.add('memory_store', MEMORY_STORE_PARAMS);
catalog.add('memory_search', MEMORY_SEARCH_PARAMS);
const check = (type: string, params: Record<string, unknown>) => catalog.validateParams(type, params);

describe('memory_store params', () => {
  it.each([
    [{ content: 'likes tea', namespace: 'acme.support', memoryType: 'preference', scope: 'user', userId: 'u1', importance: 'high', tags: ['tea'], metadata: { a: 1 }, expiresAt: null }],
    [{ items: [{ content: 'a', tags: ['x'] }, { content: '${{ steps.s.output }}', embedding: [0.1, 0.2], embeddingModel: 'mine' }], namespace: 'shared' }],
    [{ items: '${{ steps.collect.output }}' }],
    [{ content: '${{ inputs.text }}', importance: '${{ inputs.importance }}', tags: '${{ inputs.tags }}' }],
  ])('accepts %j', (params) => {
    expect(check('memory_store', params)).toEqual([]);
  });

  it('reports each problem with its pointer', () => {
    expect(check('memory_store', {})).toEqual([{ pointer: '', message: 'needs `content` or `items`' }]);
    expect(check('memory_store', { content: 'a', items: [{ content: 'b' }] })).toEqual([{ pointer: '', message: 'takes exactly one of `content`, `items`' }]);
    expect(check('memory_store', { content: 3, namespace: 'not-valid', scope: 'planet', retention: 3 })).toEqual([
      { pointer: '/retention', message: 'is not a known param' },
      { pointer: '/content', message: 'must be string' },
      { pointer: '/namespace', message: expect.stringContaining('must match pattern') },
      { pointer: '/scope', message: 'must be equal to one of the allowed values: "user", "session", "agent", "global"' },
    ]);
    expect(check('memory_store', { items: [{ content: 'a', colour: 1 }, { tags: 'x' }] })).toEqual([
      { pointer: '/items/0/colour', message: 'is not a known param' },
      { pointer: '/items/1/content', message: 'is required' },
      { pointer: '/items/1/tags', message: 'must be array' },
    ]);
    expect(check('memory_store', { items: [] })).toEqual([{ pointer: '/items', message: 'must NOT have fewer than 1 items' }]);
  });
});

describe('memory_search params', () => {
  it.each([
    [{ query: 'tea', k: 3, mode: 'hybrid', filters: { namespace: 'a.b', memoryType: ['fact'], tags: { any: ['x'] }, minImportance: 'high', createdAfter: '2025-01-01T00:00:00Z' }, rerank: { recency: 0.5 } }],
    [{ embedding: [0.1, 0.2], embeddingModel: 'm', rerank: true, efSearch: 100, minScore: 0.2 }],
    [{ query: '${{ inputs.q }}', k: '${{ inputs.k }}', filters: '${{ inputs.filters }}' }],
  ])('accepts %j', (params) => {
    expect(check('memory_search', params)).toEqual([]);
  });

  it('reports each problem with its pointer', () => {
    expect(check('memory_search', { k: 3 })).toEqual([{ pointer: '', message: 'needs `query` or `embedding`' }]);
    expect(check('memory_search', { query: 'x', top: 3, k: 0, mode: 'fuzzy', filters: { scope: 'planet', colour: 'red' }, rerank: { speed: 1 } })).toEqual([
      { pointer: '/top', message: 'is not a known param' },
      { pointer: '/k', message: 'must be >= 1' },
      { pointer: '/filters/colour', message: 'is not a known param' },
      { pointer: '/filters/scope', message: expect.stringContaining('allowed values') },
      { pointer: '/mode', message: expect.stringContaining('"vector", "text", "hybrid"') },
      { pointer: '/rerank', message: 'must be boolean' },
      { pointer: '/rerank/speed', message: 'is not a known param' },
    ]);
  });
});
