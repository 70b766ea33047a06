import { FakeModelServer, fakeEmbedding, startOpenAiEmbeddingsFakeServer } from '../support/fakes/openai-embeddings-fake-server';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const M = '/api/v3/memories';
const MISSING = '01900000-0000-7000-8000-00000000dead';

function unit(dims: number, seed: number): number[] {
  const v = Array.from({ length: dims }, (_, i) => Math.sin(seed * 3.7 + i * 0.9) + 0.01);
  const norm = Math.hypot(...v);
  return v.map((x) => Number((x / norm).toFixed(6)));
}

describe('memories over HTTP (offline hashing embedder)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let other: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('memories');
    api = apiClient(t.url, t.key);
    other = apiClient(t.url, (await t.newTenant('other')).key);
  });
  afterAll(() => t?.close());

  it('creates one memory (201, defaults applied) and reads it back, with its vector when asked', async () => {
    const created = await api('POST', M, { body: { content: 'The customer prefers email over phone', scope: 'user', userId: 'u-7', tags: ['contact'], metadata: { source: 'chat' } } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      content: 'The customer prefers email over phone',
      memoryType: 'fact',
      scope: 'user',
      namespace: 'default',
      userId: 'u-7',
      agentId: null,
      sessionId: null,
      status: 'active',
      importance: 'medium',
      metadata: { source: 'chat' },
      tags: ['contact'],
      embeddingModel: 'hashing-384',
      accessCount: 0,
      lastAccessedAt: null,
      expiresAt: null,
      summaryOf: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      revision: 1,
    });
    const read = await api('GET', `${M}/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    const withVector = await api('GET', `${M}/${created.body.id}?includeEmbedding=true`);
    expect(withVector.body.embedding).toHaveLength(384);
    expect(Math.hypot(...withVector.body.embedding)).toBeCloseTo(1, 3);
    expect((await api('GET', `${M}/${created.body.id}?includeEmbedding=yes`)).status).toBe(422);
  });

  it('creates a batch in order ({items}), with client vectors of another model beside provider ones', async () => {
    const res = await api('POST', M, {
      body: {
        items: [
          { content: 'batch one', namespace: 'batch.e2e' },
          { content: 'batch two', namespace: 'batch.e2e', embedding: unit(4, 1), embeddingModel: 'client-4' },
          { content: 'batch three', namespace: 'batch.e2e.deeper', memoryType: 'episode', importance: 'critical' },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.items.map((m: { content: string; embeddingModel: string }) => [m.content, m.embeddingModel])).toEqual([
      ['batch one', 'hashing-384'],
      ['batch two', 'client-4'],
      ['batch three', 'hashing-384'],
    ]);
    const vector = await api('GET', `${M}/${res.body.items[1].id}?includeEmbedding=true`);
    expect(vector.body.embedding).toEqual(unit(4, 1));
  });

  it('creates once per Idempotency-Key: the same body answers the first memories, another body 409', async () => {
    const body = { items: [{ content: 'idempotent one', namespace: 'idem' }, { content: 'idempotent two', namespace: 'idem' }] };
    const headers = { 'Idempotency-Key': 'import-42' };
    const first = await api('POST', '/api/v3/memories', { body, headers });
    const again = await api('POST', '/api/v3/memories', { body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.items.map((m: { id: string }) => m.id)).toEqual(first.body.items.map((m: { id: string }) => m.id));
    expect((await api('GET', '/api/v3/memories?namespace=idem')).body.items).toHaveLength(2);
    const other = await api('POST', '/api/v3/memories', { body: { items: [{ content: 'different', namespace: 'idem' }] }, headers });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('answers 422 listing every problem with its path, 400 for unknown fields and non-object bodies', async () => {
    const bad = await api('POST', M, {
      body: {
        items: [
          { content: 'fine' },
          { content: '', namespace: 'acme.support-team' },
          { content: 'x', scope: 'agent', importance: 'urgent' },
          { content: 'v', embedding: [1, 2, 3] },
        ],
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['items[1].content', 'items[1].namespace', 'items[2].agentId', 'items[2].importance', 'items[3].embeddingModel']);
    const single = await api('POST', M, { body: { content: 'x', namespace: 'a..b' } });
    expect(single.status).toBe(422);
    expect(single.body.errors).toEqual([expect.objectContaining({ path: 'namespace', code: 'INVALID_FORMAT' })]);
    const typeError = await api('POST', M, { body: { content: 42 } });
    expect(typeError.status).toBe(422);
    expect(typeError.body.errors[0].path).toBe('content');
    const modelRequired = await api('POST', M, { body: { content: 'v', embedding: [1, 2] } });
    expect(modelRequired.status).toBe(422);
    expect(modelRequired.body.code).toBe('EMBEDDING_MODEL_REQUIRED');
    const unknown = await api('POST', M, { body: { content: 'x', colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('UNKNOWN_FIELD');
    const unknownInBatch = await api('POST', M, { body: { items: [{ content: 'x', colour: 'red' }] } });
    expect(unknownInBatch.status).toBe(400);
    expect(unknownInBatch.body.errors[0].path).toBe('items[0].colour');
    expect((await api('POST', M, { body: [{ content: 'x' }] })).status).toBe(400);
    expect((await api('POST', M, { rawBody: '{"content": ' })).status).toBe(400);
    expect((await api('GET', M, { key: null })).status).toBe(401);
  });

  it('refuses an empty batch and one over 1,000 (422), and a vector of the wrong size for its model, naming both sizes', async () => {
    const tooMany = await api('POST', M, { body: { items: Array.from({ length: 1001 }, (_, i) => ({ content: `m${i}` })) } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0].path).toBe('items');
    expect((await api('POST', M, { body: { items: [] } })).status).toBe(422);
    const mismatch = await api('POST', M, { body: { content: 'wrong size', embedding: unit(768, 2), embeddingModel: 'hashing-384' } });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toMatchObject({ code: 'EMBEDDING_DIMENSION_MISMATCH', detail: 'embedding has 768 dimensions; model "hashing-384" stores 384' });
  });

  it('accepts a batch of 1,000 memories with 384-dimensional vectors (a body over 1 MB) on POST /memories only', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ content: `bulk memory ${i}`, namespace: 'bulk', embedding: unit(384, i), embeddingModel: 'bulk-384' }));
    const body = JSON.stringify({ items });
    expect(body.length).toBeGreaterThan(3 * 1024 * 1024);
    const res = await api('POST', M, { rawBody: body });
    expect(res.status).toBe(201);
    expect(res.body.items).toHaveLength(1000);
    const listed = await api('GET', `${M}?namespace=bulk&limit=200`);
    expect(listed.body.items).toHaveLength(200);
    // Other routes keep the 1 MB limit.
    const big = await api('POST', '/api/v3/workflows', { rawBody: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
  });

  it('lists newest first with filters (namespace subtree, owner, scope, type, tag, status) and keyset pages', async () => {
    const res = await api('POST', M, {
      body: {
        items: [
          { content: 'list root', namespace: 'lst' },
          { content: 'list child', namespace: 'lst.child', scope: 'user', userId: 'alice', tags: ['x', 'y'] },
          { content: 'list grandchild', namespace: 'lst.child.deep', memoryType: 'skill', scope: 'agent', agentId: 'bot-1', tags: ['x'] },
          { content: 'list sibling', namespace: 'lst.other', memoryType: 'skill' },
          { content: 'list lookalike', namespace: 'lst_child' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const contents = async (query: string, client = api) => {
      const r = await client('GET', `${M}?${query}`);
      expect(r.status).toBe(200);
      return r.body.items.map((m: { content: string }) => m.content);
    };
    expect(await contents('namespace=lst')).toEqual(['list lookalike', 'list sibling', 'list grandchild', 'list child', 'list root'].filter((c) => c !== 'list lookalike'));
    expect(await contents('namespace=lst.child')).toEqual(['list grandchild', 'list child']);
    expect(await contents('namespace=lst&userId=alice')).toEqual(['list child']);
    expect(await contents('namespace=lst&agentId=bot-1&scope=agent')).toEqual(['list grandchild']);
    expect(await contents('namespace=lst&type=skill')).toEqual(['list sibling', 'list grandchild']);
    expect(await contents('namespace=lst&type=skill,fact')).toHaveLength(4);
    expect(await contents('namespace=lst&tag=x')).toEqual(['list grandchild', 'list child']);
    expect(await contents('namespace=lst&tag=x&tag=y')).toEqual(['list child']);
    expect(await contents('namespace=lst', other)).toEqual([]);

    const page1 = await api('GET', `${M}?namespace=lst&limit=3`);
    expect(page1.body.items).toHaveLength(3);
    const page2 = await api('GET', `${M}?namespace=lst&limit=3&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.items, ...page2.body.items].map((m: { content: string }) => m.content)).toEqual(await contents('namespace=lst'));
    expect(page2.body.nextCursor).toBeNull();

    const archived = await api('PATCH', `${M}/${res.body.items[0].id}`, { body: { status: 'archived' } });
    expect(archived.status).toBe(200);
    expect(await contents('namespace=lst')).not.toContain('list root');
    expect(await contents('namespace=lst&status=archived')).toEqual(['list root']);

    expect((await api('GET', `${M}?scope=everyone`)).status).toBe(422);
    expect((await api('GET', `${M}?type=opinion`)).status).toBe(422);
    expect((await api('GET', `${M}?status=deleted`)).status).toBe(422);
    expect((await api('GET', `${M}?limit=0`)).status).toBe(422);
    const badNamespace = await api('GET', `${M}?namespace=a-b`);
    expect(badNamespace.status).toBe(422);
    expect(badNamespace.body.errors[0].path).toBe('namespace');
    expect((await api('GET', `${M}?cursor=garbage`)).status).toBe(400);
    expect((await api('GET', `${M}?color=red`)).status).toBe(400);
  });

  it('patches: a content change keeps the previous content as a revision and re-embeds; If-Match guards the revision', async () => {
    const created = await api('POST', M, { body: { content: 'The meeting is on Monday', importance: 'low' } });
    const id = created.body.id;
    const before = await api('GET', `${M}/${id}?includeEmbedding=true`);
    const patched = await api('PATCH', `${M}/${id}`, { body: { content: 'The meeting moved to Friday afternoon', importance: 'high', tags: ['calendar'] }, headers: { 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ content: 'The meeting moved to Friday afternoon', importance: 'high', tags: ['calendar'], revision: 2 });
    const after = await api('GET', `${M}/${id}?includeEmbedding=true`);
    expect(after.body.embedding).not.toEqual(before.body.embedding);
    const revisions = await api('GET', `${M}/${id}/revisions`);
    expect(revisions.status).toBe(200);
    expect(revisions.body).toEqual({ items: [{ revision: 1, content: 'The meeting is on Monday', embeddingModel: 'hashing-384', createdAt: expect.any(String) }] });

    const stale = await api('PATCH', `${M}/${id}`, { body: { importance: 'low' }, headers: { 'if-match': '1' } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONCURRENT_MODIFICATION');
    expect((await api('PATCH', `${M}/${id}`, { body: { importance: 'low' }, headers: { 'if-match': 'banana' } })).status).toBe(400);
    const invalid = await api('PATCH', `${M}/${id}`, { body: { content: '', status: 'deleted', expiresAt: 'soon' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(['content', 'expiresAt', 'status']);
    expect((await api('PATCH', `${M}/${id}`, { body: { memoryType: 'skill' } })).status).toBe(400);
    const clear = await api('PATCH', `${M}/${id}`, { body: { expiresAt: '2099-01-01T00:00:00Z' } });
    expect(clear.body).toMatchObject({ expiresAt: '2099-01-01T00:00:00.000Z', revision: 3 });
    expect((await other('PATCH', `${M}/${id}`, { body: { importance: 'low' } })).status).toBe(404);
    expect((await other('GET', `${M}/${id}/revisions`)).status).toBe(404);
  });

  it('deletes softly (204): then 404 everywhere; another tenant’s, a missing and a malformed id are 404', async () => {
    const created = await api('POST', M, { body: { content: 'to forget', namespace: 'forget' } });
    const id = created.body.id;
    expect((await other('DELETE', `${M}/${id}`)).status).toBe(404);
    expect((await other('GET', `${M}/${id}`)).status).toBe(404);
    const deleted = await api('DELETE', `${M}/${id}`);
    expect(deleted.status).toBe(204);
    for (const [method, path] of [
      ['GET', `${M}/${id}`],
      ['PATCH', `${M}/${id}`],
      ['DELETE', `${M}/${id}`],
      ['GET', `${M}/${id}/revisions`],
      ['GET', `${M}/${MISSING}`],
      ['GET', `${M}/not-a-uuid`],
      ['PATCH', `${M}/not-a-uuid`],
      ['DELETE', `${M}/not-a-uuid`],
      ['GET', `${M}/not-a-uuid/revisions`],
    ]) {
      const res = await api(method, path, method === 'PATCH' ? { body: { importance: 'low' } } : {});
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'MEMORY_NOT_FOUND']);
    }
    expect((await api('GET', `${M}?namespace=forget`)).body.items).toEqual([]);
  });
});

describe('memories over HTTP with an OpenAI-compatible embeddings server (EMBEDDING_PROVIDER=openai)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let fake: FakeModelServer;

  beforeAll(async () => {
    fake = await startOpenAiEmbeddingsFakeServer({ apiKey: 'sk-e2e', dimensions: 8 });
    // The environment is read when the app module loads: load a fresh copy for this app.
    await jest.isolateModulesAsync(async () => {
      const { startTestApp: start } = await import('../support/test-app');
      t = await start('memories_openai', {
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_BASE_URL: fake.baseUrl,
        EMBEDDING_API_KEY: 'sk-e2e',
        EMBEDDING_MODEL: 'text-embedding-3-small',
        EMBEDDING_DIMENSIONS: '8',
        EMBEDDING_BATCH_SIZE: '2',
        MODEL_RETRY_BASE_MS: '1',
      });
    });
    api = apiClient(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('embeds a batch through the server in batches of EMBEDDING_BATCH_SIZE and stores each text’s own vector', async () => {
    const texts = ['first text', 'second text', 'third text'];
    const res = await api('POST', M, { body: { items: texts.map((content) => ({ content })) } });
    expect(res.status).toBe(201);
    expect(fake.requests.map((r) => r.body.input)).toEqual([texts.slice(0, 2), texts.slice(2)]);
    expect(fake.requests[0].headers.authorization).toBe('Bearer sk-e2e');
    for (const [i, memory] of res.body.items.entries()) {
      expect(memory.embeddingModel).toBe('text-embedding-3-small');
      const read = await api('GET', `${M}/${memory.id}?includeEmbedding=true`);
      expect(read.body.embedding.map((x: number) => Number(x.toFixed(5)))).toEqual(fakeEmbedding(texts[i], 8).map((x) => Number(x.toFixed(5))));
    }
  });

  it('retries a 429 with Retry-After, and re-embeds a patched content through the server', async () => {
    const created = await api('POST', M, { body: { content: 'before' } });
    fake.requests.length = 0;
    fake.enqueue({ status: 429, headers: { 'retry-after': '0' } });
    const patched = await api('PATCH', `${M}/${created.body.id}`, { body: { content: 'after' } });
    expect(patched.status).toBe(200);
    expect(fake.requests.map((r) => r.body.input)).toEqual([['after'], ['after']]);
  });

  it('answers 502 EMBEDDING_PROVIDER_ERROR with the server’s message when it refuses, and stores nothing', async () => {
    fake.enqueue({ status: 400, body: { error: { message: 'Invalid model text-embedding-3-small for this key', type: 'invalid_request_error', param: null, code: null } } });
    const res = await api('POST', M, { body: { content: 'never stored', namespace: 'refused' } });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'EMBEDDING_PROVIDER_ERROR', detail: 'Embedding provider answered 400: Invalid model text-embedding-3-small for this key' });
    expect((await api('GET', `${M}?namespace=refused`)).body.items).toEqual([]);
  });

  it('does not call the server for memories that bring their own vectors', async () => {
    fake.requests.length = 0;
    const res = await api('POST', M, { body: { content: 'own', embedding: unit(8, 3), embeddingModel: 'text-embedding-3-small' } });
    expect(res.status).toBe(201);
    expect(fake.requests).toEqual([]);
  });
});
