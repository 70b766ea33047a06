import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

const M = '/api/v3/memories';
const S = `${M}/search`;

describe('POST /memories/search over HTTP', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let other: ReturnType<typeof apiClient>;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp('memory_search');
    api = apiClient(t.url, t.key);
    other = apiClient(t.url, (await t.newTenant('other')).key);
    const memories = [
      { name: 'monday', content: 'The customer prefers delivery on Monday mornings', namespace: 'acme.support', importance: 'low' },
      { name: 'warehouse', content: 'Delivery address changed to the north warehouse', namespace: 'acme.support.agent42', importance: 'critical', tags: ['address'] },
      { name: 'invoice', content: 'Invoices are sent at the end of every month', namespace: 'acme.billing' },
      { name: 'tea', content: 'The customer drinks green tea', namespace: 'acme.support' },
    ];
    const created = await api('POST', M, { body: { items: memories.map(({ name: _name, ...m }) => m) } });
    expect(created.status).toBe(201);
    memories.forEach((m, i) => (id[m.name] = created.body.items[i].id));
    const vectors = await api('POST', M, {
      body: {
        items: [
          { content: 'vector east', namespace: 'vec', embedding: [1, 0, 0, 0], embeddingModel: 'e2e-4' },
          { content: 'vector north', namespace: 'vec', embedding: [0, 1, 0, 0], embeddingModel: 'e2e-4' },
          { content: 'vector north east', namespace: 'vec', embedding: [0.7, 0.7, 0, 0], embeddingModel: 'e2e-4' },
        ],
      },
    });
    expect(vectors.status).toBe(201);
    const foreign = await other('POST', M, { body: { content: 'The customer of another tenant prefers delivery on Monday', namespace: 'acme.support' } });
    expect(foreign.status).toBe(201);
    id.foreign = foreign.body.id;
  });
  afterAll(() => t?.close());

  const ids = (body: { items: { memory: { id: string } }[] }) => body.items.map((i) => i.memory.id);

  it('hybrid (the default) fuses vector and full-text hits and answers {items: [{memory, score, scores}], strategy}', async () => {
    const res = await api('POST', S, { body: { query: 'delivery address warehouse', k: 3 } });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toEqual({
      memory: expect.objectContaining({ id: id.warehouse, content: 'Delivery address changed to the north warehouse', namespace: 'acme.support.agent42', importance: 'critical' }),
      score: expect.any(Number),
      scores: { vector: expect.any(Number), text: expect.any(Number) },
    });
    expect(res.body.items[0].memory).not.toHaveProperty('embedding');
    expect(res.body.items.length).toBeLessThanOrEqual(3);
    expect(res.body.strategy).toEqual({ vector: 'exact', estimatedMatches: expect.any(Number) });
  });

  it('text mode finds words (with stemming) and scores by ts_rank; vector mode scores by cosine similarity', async () => {
    const text = await api('POST', S, { body: { query: 'invoice', mode: 'text' } });
    expect(text.status).toBe(200);
    expect(ids(text.body)).toEqual([id.invoice]);
    expect(text.body.items[0].scores).toEqual({ text: text.body.items[0].score });
    expect(text.body.strategy).toEqual({ vector: 'none' });

    const vector = await api('POST', S, { body: { embedding: [0.9, 0.1, 0, 0], embeddingModel: 'e2e-4', mode: 'vector', k: 2 } });
    expect(vector.status).toBe(200);
    expect(vector.body.items.map((i: { memory: { content: string } }) => i.memory.content)).toEqual(['vector east', 'vector north east']);
    const first = vector.body.items[0];
    expect(first.score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 5);
    expect(first.scores).toEqual({ vector: first.score });
  });

  it('a vector query of one model never sees another model’s memories', async () => {
    const res = await api('POST', S, { body: { query: 'vector north east', mode: 'vector', k: 50 } });
    expect(res.status).toBe(200);
    expect(res.body.items.every((i: { memory: { embeddingModel: string } }) => i.memory.embeddingModel === 'hashing-384')).toBe(true);
    expect(res.body.items.some((i: { memory: { content: string } }) => i.memory.content.startsWith('vector'))).toBe(false);
  });

  it('filters: a namespace matches its subtree; importance, tags', async () => {
    const subtree = await api('POST', S, { body: { query: 'customer delivery', k: 10, filters: { namespace: 'acme.support' } } });
    expect(subtree.status).toBe(200);
    expect(ids(subtree.body).sort()).toEqual([id.monday, id.tea, id.warehouse].sort());
    const important = await api('POST', S, { body: { query: 'delivery', filters: { minImportance: 'high' } } });
    expect(ids(important.body)).toEqual([id.warehouse]);
    const tagged = await api('POST', S, { body: { query: 'delivery', filters: { tags: { any: ['address'] } } } });
    expect(ids(tagged.body)).toEqual([id.warehouse]);
  });

  it('minScore drops hits under the mode’s score', async () => {
    const all = await api('POST', S, { body: { embedding: [1, 0, 0, 0], embeddingModel: 'e2e-4', mode: 'vector' } });
    expect(all.body.items).toHaveLength(3);
    const close = await api('POST', S, { body: { embedding: [1, 0, 0, 0], embeddingModel: 'e2e-4', mode: 'vector', minScore: 0.5 } });
    expect(close.body.items.map((i: { memory: { content: string } }) => i.memory.content)).toEqual(['vector east', 'vector north east']);
  });

  it('rerank: relevance (here importance only) reorders the hits and is their score', async () => {
    const plain = await api('POST', S, { body: { query: 'customer prefers delivery on monday', mode: 'vector', k: 4, filters: { namespace: 'acme.support' } } });
    expect(ids(plain.body)[0]).toBe(id.monday);
    const reranked = await api('POST', S, {
      body: { query: 'customer prefers delivery on monday', mode: 'vector', k: 4, filters: { namespace: 'acme.support' }, rerank: { similarity: 0, recency: 0, accessFrequency: 0, importance: 1 } },
    });
    expect(reranked.status).toBe(200);
    expect(ids(reranked.body)[0]).toBe(id.warehouse);
    expect(reranked.body.items[0]).toMatchObject({ score: 1, scores: { relevance: 1, vector: expect.any(Number) } });
    const defaults = await api('POST', S, { body: { query: 'monday delivery', rerank: true } });
    expect(defaults.status).toBe(200);
    expect(defaults.body.items.every((i: { score: number; scores: { relevance: number } }) => i.score === i.scores.relevance && i.score <= 1)).toBe(true);
  });

  it('another tenant’s memories are invisible, and its own search sees only its own', async () => {
    const mine = await api('POST', S, { body: { query: 'customer prefers delivery monday', k: 100 } });
    expect(ids(mine.body)).not.toContain(id.foreign);
    const theirs = await other('POST', S, { body: { query: 'customer prefers delivery monday', k: 100 } });
    expect(ids(theirs.body)).toEqual([id.foreign]);
  });

  it('counts an access of each returned memory (visible shortly after the answer)', async () => {
    const created = await api('POST', M, { body: { content: 'The zebra crossing outside is painted yellow', namespace: 'zebra' } });
    expect(created.body.accessCount).toBe(0);
    const res = await api('POST', S, { body: { query: 'zebra crossing', mode: 'text' } });
    expect(ids(res.body)).toEqual([created.body.id]);
    const after = await until(
      async () => (await api('GET', `${M}/${created.body.id}`)).body,
      (m) => m.accessCount === 1,
      'access count',
      4000,
    );
    expect(after.lastAccessedAt).toEqual(expect.any(String));
    expect(after.updatedAt).toBe(created.body.updatedAt);
    expect(after.revision).toBe(created.body.revision);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await api('GET', '/docs-json', { key: null });
    const post = doc.body.paths['/api/v3/memories/search'].post;
    expect(post.requestBody.content['application/json'].schema.$ref).toContain('MemorySearchRequestDto');
    expect(post.responses['200'].content['application/json'].schema.$ref).toContain('MemorySearchResponseDto');
    expect(Object.keys(doc.body.components.schemas)).toEqual(expect.arrayContaining(['RerankWeightsDoc', 'MemorySearchFiltersRequestDto', 'MemorySearchHitResponseDto']));
  });

  it('returns vectors only when asked (includeEmbedding), in vector, text and hybrid modes', async () => {
    const plain = await api('POST', S, { body: { query: 'delivery', mode: 'hybrid', k: 3 } });
    expect(plain.status).toBe(200);
    expect(plain.body.items.length).toBeGreaterThan(0);
    for (const hit of plain.body.items) expect(hit.memory).not.toHaveProperty('embedding');
    for (const mode of ['vector', 'text', 'hybrid']) {
      const asked = await api('POST', S, { body: { query: 'delivery', mode, k: 3, includeEmbedding: true } });
      expect(asked.status).toBe(200);
      expect(asked.body.items.length).toBeGreaterThan(0);
      for (const hit of asked.body.items) {
        const stored = await api('GET', `${M}/${hit.memory.id}?includeEmbedding=true`);
        expect(hit.memory.embedding).toEqual(stored.body.embedding);
      }
    }
  });

  describe('failure answers', () => {
    const expect422 = async (body: unknown, path: string, code = 'VALIDATION_FAILED') => {
      const res = await api('POST', S, { body });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe(code);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      return res.body;
    };

    it('422 for k out of range or not an integer', async () => {
      await expect422({ query: 'x', k: 0 }, 'k');
      await expect422({ query: 'x', k: 101 }, 'k');
      await expect422({ query: 'x', k: 2.5 }, 'k');
    });

    it('422 for an unknown mode, efSearch out of range, a non-numeric minScore', async () => {
      await expect422({ query: 'x', mode: 'fuzzy' }, 'mode');
      await expect422({ query: 'x', efSearch: 0 }, 'efSearch');
      await expect422({ query: 'x', minScore: 'high' }, 'minScore');
      await expect422({ query: 'x', includeEmbedding: 'yes' }, 'includeEmbedding');
    });

    it('422 without a query or an embedding, and in text mode without a query', async () => {
      await expect422({}, 'query');
      await expect422({ k: 5 }, 'query');
      await expect422({ embedding: [1, 0, 0, 0], embeddingModel: 'e2e-4', mode: 'text' }, 'query');
      await expect422({ query: '' }, 'query');
    });

    it('422 for a bad embedding and EMBEDDING_DIMENSION_MISMATCH naming both dimensions', async () => {
      await expect422({ embedding: [1, 'a'], embeddingModel: 'e2e-4' }, 'embedding[1]');
      await expect422({ embedding: [1, 0, null, 0], embeddingModel: 'e2e-4' }, 'embedding[2]');
      await expect422({ embedding: '[1,0,0,0]', embeddingModel: 'e2e-4' }, 'embedding');
      await expect422({ embedding: [], embeddingModel: 'e2e-4' }, 'embedding');
      await expect422({ embedding: [0, 0, 0, 0], embeddingModel: 'e2e-4' }, 'embedding');
      await expect422({ embedding: Array.from({ length: 16_001 }, () => 1), embeddingModel: 'e2e-4' }, 'embedding');
      const mismatch = await expect422({ embedding: [1, 0, 0], embeddingModel: 'e2e-4', mode: 'vector' }, 'embedding', 'EMBEDDING_DIMENSION_MISMATCH');
      expect(mismatch.detail).toMatch(/3 dimensions.*e2e-4 has 4/);
      const defaultModel = await expect422({ embedding: [1, 0, 0] }, 'embedding', 'EMBEDDING_DIMENSION_MISMATCH');
      expect(defaultModel.detail).toMatch(/3 dimensions.*hashing-384 has 384/);
    });

    it('422 for bad rerank weights', async () => {
      await expect422({ query: 'x', rerank: { similarity: -1 } }, 'rerank');
      await expect422({ query: 'x', rerank: { speed: 1 } }, 'rerank.speed');
      await expect422({ query: 'x', rerank: 'yes' }, 'rerank');
      await expect422({ query: 'x', rerank: { similarity: 0, recency: 0, accessFrequency: 0, importance: 0 } }, 'rerank');
    });

    it('422 for bad filters', async () => {
      await expect422({ query: 'x', filters: { namespace: 'acme-support' } }, 'filters.namespace');
      await expect422({ query: 'x', filters: { minImportance: 'huge' } }, 'filters.minImportance');
      await expect422({ query: 'x', filters: { memoryType: ['fact', 'gossip'] } }, 'filters.memoryType');
      await expect422({ query: 'x', filters: { createdAfter: 'yesterday' } }, 'filters.createdAfter');
    });

    it('400 UNKNOWN_FIELD for an unknown field, at the top or inside filters', async () => {
      const top = await api('POST', S, { body: { query: 'x', limit: 5 } });
      expect(top.status).toBe(400);
      expect(top.body.code).toBe('UNKNOWN_FIELD');
      const nested = await api('POST', S, { body: { query: 'x', filters: { colour: 'red' } } });
      expect(nested.status).toBe(400);
      expect(nested.body.errors[0].path).toBe('filters.colour');
      const tags = await api('POST', S, { body: { query: 'x', filters: { tags: { none: ['a'] } } } });
      expect(tags.status).toBe(400);
      expect(tags.body.errors[0].path).toBe('filters.tags.none');
    });

    it('400 problem+json for a body that is not an object, NaN in the embedding, and a body nested 10,000 deep', async () => {
      for (const rawBody of ['[1, 2, 3]', '"search"', '{"embedding": [1, NaN, 0, 0], "embeddingModel": "e2e-4"}', `{"embedding": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`]) {
        const res = await api('POST', S, { rawBody });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
    });

    it('400 for malformed JSON, 401 without a key', async () => {
      expect((await api('POST', S, { rawBody: '{"query": ' })).status).toBe(400);
      expect((await api('POST', S, { key: null, body: { query: 'x' } })).status).toBe(401);
    });
  });
});
