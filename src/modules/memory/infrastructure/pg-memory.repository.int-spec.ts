import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { memoryTestModule } from '@cognition/test-support/memory-test-module';
import { TestDatabase } from '@cognition/test-support/test-database';
import { AppConfig } from '@cognition/config/app-config';
import { newId } from '@cognition/platform/ids/uuid';
import {
  CreateMemoriesCommand,
  DeleteMemoryCommand,
  GetMemoryQuery,
  ListMemoriesQuery,
  ListMemoryRevisionsQuery,
  type NewMemory,
  UpdateMemoryCommand,
} from '../contracts';
import { EmbeddingModels } from '../domain/embedding-models.port';
import { EmbeddingProvider } from '../domain/embedding-provider.port';
import { VectorIndexer } from '../application/indexing/vector-indexer';
import { MemorySql } from './memory-sql';
import { PgEmbeddingModels, vectorIndexName } from './pg-embedding-models';

const TENANT = '00000000-0000-7000-8000-0000000000aa';
const OTHER = '00000000-0000-7000-8000-0000000000bb';

function unit(dims: number, seed: number): number[] {
  const v = Array.from({ length: dims }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('memories on real PostgreSQL (repository, models, handlers)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let queries: QueryBus;
  let ds: DataSource;
  let provider: EmbeddingProvider;

  beforeAll(async () => {
    ({ db, moduleRef } = await memoryTestModule('memory_repo'));
    commands = moduleRef.get(CommandBus);
    queries = moduleRef.get(QueryBus);
    ds = moduleRef.get(DataSource);
    provider = moduleRef.get(EmbeddingProvider);
    // No background indexing here: a created row keeps the version (and xmin) its transaction wrote
    // (application/indexing/vector-indexer.int-spec.ts tests the indexer).
    await moduleRef.get(VectorIndexer).beforeApplicationShutdown();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  const create = (items: NewMemory[], tenantId = TENANT) => commands.execute(new CreateMemoriesCommand(tenantId, items));
  const list = (filter: object, tenantId = TENANT) => queries.execute(new ListMemoriesQuery(tenantId, { limit: 50, ...filter }));

  it('round-trips every field, embeds with the hashing model and writes both events in the same transaction', async () => {
    const [view] = await create([
      {
        content: 'The customer prefers email over phone',
        memoryType: 'preference',
        scope: 'user',
        userId: 'u-1',
        agentId: 'a-1',
        sessionId: 's-1',
        namespace: 'acme.support',
        importance: 'high',
        metadata: { source: 'ticket', n: 42, nested: { ok: true } },
        tags: ['contact', 'email'],
        expiresAt: '2099-01-01T00:00:00.000Z',
      },
    ]);
    expect(view).toMatchObject({ memoryType: 'preference', scope: 'user', namespace: 'acme.support', embeddingModel: 'hashing-384', status: 'active', revision: 1, accessCount: 0 });
    const read = await queries.execute(new GetMemoryQuery(TENANT, view.id, true));
    expect({ ...read, embedding: undefined }).toEqual({ ...view, embedding: undefined });
    expect(read.embedding).toHaveLength(384);
    expect(read.embedding).toEqual((await provider.embed([view.content])).vectors[0].map((x) => expect.closeTo(x, 6)));
    const [row] = await ds.query(`SELECT importance_rank, vector_dims(embedding) AS dims, xmin::text AS x FROM memories WHERE id = $1`, [view.id]);
    expect(row).toMatchObject({ importance_rank: 3, dims: 384 });
    const events = await ds.query(`SELECT type, aggregate_type, payload, xmin::text AS x FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [view.id]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['MemoryCreated', 'MemoryEmbeddingGenerated']);
    expect(events[1].payload).toEqual({ memoryId: view.id, namespace: 'acme.support', embeddingModel: 'hashing-384', dimensions: 384 });
    expect(new Set(events.map((e: { x: string }) => e.x))).toEqual(new Set([row.x]));
    await expect(queries.execute(new GetMemoryQuery(OTHER, view.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(queries.execute(new GetMemoryQuery(TENANT, 'not-a-uuid'))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
  });

  it('filters a namespace subtree with ltree, newest first, with keyset pages', async () => {
    await create([
      { content: 'root', namespace: 'tree' },
      { content: 'child a', namespace: 'tree.a' },
      { content: 'grandchild', namespace: 'tree.a.deep' },
      { content: 'child b', namespace: 'tree.b' },
      { content: 'lookalike', namespace: 'tree_a' },
    ]);
    const sub = await list({ namespace: 'tree.a' });
    expect(sub.items.map((m: { content: string }) => m.content).sort()).toEqual(['child a', 'grandchild']);
    const all = await list({ namespace: 'tree' });
    expect(all.items.map((m: { content: string }) => m.content)).toEqual(['child b', 'grandchild', 'child a', 'root']);
    const page1 = await list({ namespace: 'tree', limit: 3 });
    expect(page1.items).toHaveLength(3);
    const page2 = await list({ namespace: 'tree', limit: 3, cursor: page1.nextCursor });
    expect(page2.items.map((m: { content: string }) => m.content)).toEqual(['root']);
    expect(page2.nextCursor).toBeNull();
    expect((await list({ namespace: 'tree' }, OTHER)).items).toEqual([]);
    await expect(list({ namespace: 'bad-label' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'namespace' })] });
  });

  it('keeps two models with different dimensions side by side, each with its own partial HNSW index', async () => {
    const [small] = await create([{ content: 'small vector', embedding: unit(8, 1), embeddingModel: 'test-small-8' }]);
    const [big] = await create([{ content: 'big vector', embedding: unit(16, 2), embeddingModel: "test-big's-16" }]);
    expect([small.embeddingModel, big.embeddingModel]).toEqual(['test-small-8', "test-big's-16"]);
    const registry = await ds.query(`SELECT model, dimensions, index_type, index_name FROM memory_embedding_models WHERE model LIKE 'test-%' ORDER BY model`);
    expect(registry).toEqual([
      { model: "test-big's-16", dimensions: 16, index_type: 'hnsw', index_name: vectorIndexName("test-big's-16") },
      { model: 'test-small-8', dimensions: 8, index_type: 'hnsw', index_name: vectorIndexName('test-small-8') },
    ]);
    const indexes = await ds.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'memories' AND indexname = ANY($1) ORDER BY indexname`, [
      registry.map((r: { index_name: string }) => r.index_name),
    ]);
    expect(indexes).toHaveLength(2);
    const defOf = (model: string) => indexes.find((i: { indexname: string }) => i.indexname === vectorIndexName(model)).indexdef;
    expect(defOf('test-small-8')).toMatch(
      /USING hnsw \(\(\(embedding\)::vector\(8\)\) vector_cosine_ops\) WITH \(m='16', ef_construction='64'\) WHERE \(\(embedding_model = 'test-small-8'::text\) AND \(NOT vector_pending\)\)/,
    );
    expect(defOf("test-big's-16")).toMatch(/vector\(16\).*WHERE \(\(embedding_model = 'test-big''s-16'::text\) AND \(NOT vector_pending\)\)/);
    // The planner can use a model's index for a query on that model's indexed rows.
    const plan = await ds.transaction(async (em) => {
      await em.query(`SET LOCAL enable_seqscan = off`);
      return em.query(`EXPLAIN SELECT id FROM memories WHERE embedding_model = 'test-small-8' AND NOT vector_pending ORDER BY embedding::vector(8) <=> '${JSON.stringify(unit(8, 3))}' LIMIT 5`);
    });
    expect(JSON.stringify(plan)).toContain(vectorIndexName('test-small-8'));
  });

  it('registers several new models concurrently without deadlocks, and the same new model once', async () => {
    const results = await Promise.allSettled([
      create([{ content: 'c1', embedding: unit(6, 1), embeddingModel: 'test-concurrent-a' }]),
      create([{ content: 'c2', embedding: unit(7, 2), embeddingModel: 'test-concurrent-b' }]),
      create([{ content: 'c3', embedding: unit(6, 3), embeddingModel: 'test-concurrent-a' }]),
      create([{ content: 'c4', embedding: unit(9, 4), embeddingModel: 'test-concurrent-a' }]),
      create([{ content: 'c5' }]),
    ]);
    // Model a is registered once, with the dimensions of whichever of its three writes came first
    // (6 for c1 or c3, 9 for c4); the writes of the other dimensions are refused.
    const registry = await ds.query(`SELECT model, dimensions FROM memory_embedding_models WHERE model LIKE 'test-concurrent-%' ORDER BY model`);
    expect(registry).toHaveLength(2);
    expect(registry[1]).toEqual({ model: 'test-concurrent-b', dimensions: 7 });
    const a = registry[0].dimensions;
    expect(registry[0].model).toBe('test-concurrent-a');
    expect([6, 9]).toContain(a);
    const expected = a === 6 ? ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'] : ['rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'];
    expect(results.map((r) => r.status)).toEqual(expected);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'EMBEDDING_DIMENSION_MISMATCH' });
  });

  it('refuses a vector whose dimensions differ from its model’s with a 422 naming both', async () => {
    await create([{ content: 'registered', embedding: unit(8, 4), embeddingModel: 'test-mismatch' }]);
    const wrong = create([
      { content: 'fine', embedding: unit(8, 5), embeddingModel: 'test-mismatch' },
      { content: 'wrong', embedding: unit(12, 6), embeddingModel: 'test-mismatch' },
    ]);
    await expect(wrong).rejects.toMatchObject({
      code: 'EMBEDDING_DIMENSION_MISMATCH',
      message: 'embedding has 12 dimensions; model "test-mismatch" stores 8',
      errors: [expect.objectContaining({ path: 'items[1].embedding' })],
    });
    const hashing = create([{ content: 'provider model, other dims', embedding: unit(10, 7), embeddingModel: 'hashing-384' }]);
    await expect(hashing).rejects.toMatchObject({ code: 'EMBEDDING_DIMENSION_MISMATCH', message: 'embedding has 10 dimensions; model "hashing-384" stores 384' });
    expect(await ds.query(`SELECT count(*)::int AS n FROM memories WHERE content IN ('fine', 'wrong')`)).toEqual([{ n: 0 }]);
  });

  it('creates a batch of 1,000 in one transaction with one embedding call and one INSERT', async () => {
    const embed = jest.spyOn(provider, 'embed');
    const items: NewMemory[] = Array.from({ length: 1000 }, (_, i) => ({ content: `batch memory number ${i} about topic ${i % 17}`, namespace: 'batch.one', tags: [`t${i % 3}`] }));
    items[500] = { ...items[500], embedding: unit(384, 9), embeddingModel: 'hashing-384' };
    const statements: string[] = [];
    const sql = moduleRef.get(MemorySql);
    const original = sql.query.bind(sql);
    jest.spyOn(sql, 'query').mockImplementation((text: string, params?: unknown[]) => {
      statements.push(text);
      return original(text, params);
    });
    const views = await create(items);
    expect(views).toHaveLength(1000);
    expect(embed).toHaveBeenCalledTimes(1);
    expect(embed.mock.calls[0][0]).toHaveLength(999);
    expect(statements.filter((s) => /INSERT INTO memories/.test(s))).toHaveLength(1);
    const [row] = await ds.query(`SELECT count(*)::int AS n, count(DISTINCT xmin::text)::int AS transactions FROM memories WHERE namespace <@ 'batch.one'`);
    expect(row).toEqual({ n: 1000, transactions: 1 });
    const [events] = await ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE aggregate_id = ANY($1)`, [views.map((v: { id: string }) => v.id)]);
    expect(events.n).toBe(2000);
    expect(views[7].tags).toEqual(['t1']);
    const tagged = await list({ namespace: 'batch.one', tags: { all: ['t2'] }, limit: 200 });
    expect(tagged.items).toHaveLength(200);
    expect(tagged.items.every((m: { tags: string[] }) => m.tags[0] === 't2')).toBe(true);
    expect((await list({ namespace: 'batch.one', tags: { all: ['t2'] }, limit: 200, cursor: tagged.nextCursor })).items).toHaveLength(133);
  });

  it('rolls the whole batch back when one item fails in the database', async () => {
    const before = await ds.query(`SELECT count(*)::int AS n FROM memories`);
    const bad = create([{ content: 'ok one', namespace: 'rollback' }, { content: 'mismatch', embedding: unit(3, 1), embeddingModel: 'test-small-8' }]);
    await expect(bad).rejects.toMatchObject({ code: 'EMBEDDING_DIMENSION_MISMATCH' });
    expect(await ds.query(`SELECT count(*)::int AS n FROM memories`)).toEqual(before);
  });

  it('keeps the previous content as a revision, re-embeds, and refuses a stale revision', async () => {
    const [m] = await create([{ content: 'first version of the fact', importance: 'low' }]);
    const before = await queries.execute(new GetMemoryQuery(TENANT, m.id, true));
    const updated = await commands.execute(new UpdateMemoryCommand(TENANT, m.id, { content: 'second version of the fact', importance: 'critical', tags: ['x'] }, 1));
    expect(updated).toMatchObject({ content: 'second version of the fact', importance: 'critical', tags: ['x'], revision: 2 });
    const after = await queries.execute(new GetMemoryQuery(TENANT, m.id, true));
    expect(after.embedding).not.toEqual(before.embedding);
    expect(after.embedding).toEqual((await provider.embed(['second version of the fact'])).vectors[0].map((x) => expect.closeTo(x, 6)));
    const [{ importance_rank }] = await ds.query(`SELECT importance_rank FROM memories WHERE id = $1`, [m.id]);
    expect(importance_rank).toBe(4);
    const revisions = await queries.execute(new ListMemoryRevisionsQuery(TENANT, m.id));
    expect(revisions.items).toEqual([{ revision: 1, content: 'first version of the fact', embeddingModel: 'hashing-384', createdAt: expect.any(String) }]);
    const types = await ds.query(`SELECT type, payload FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [m.id]);
    expect(types.map((e: { type: string }) => e.type)).toEqual(['MemoryCreated', 'MemoryEmbeddingGenerated', 'MemoryContentUpdated', 'MemoryImportanceChanged', 'MemoryEmbeddingGenerated']);
    expect(types[2].payload).toMatchObject({ revision: 2 });
    expect(types[3].payload).toMatchObject({ from: 'low', to: 'critical' });
    await expect(commands.execute(new UpdateMemoryCommand(TENANT, m.id, { importance: 'low' }, 1))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    await expect(commands.execute(new UpdateMemoryCommand(OTHER, m.id, { importance: 'low' }))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    const archived = await commands.execute(new UpdateMemoryCommand(TENANT, m.id, { status: 'archived' }));
    expect(archived).toMatchObject({ status: 'archived', revision: 3 });
    expect((await list({})).items.map((x: { id: string }) => x.id)).not.toContain(m.id);
    expect((await list({ status: 'archived' })).items.map((x: { id: string }) => x.id)).toContain(m.id);
  });

  it('soft-deletes: out of every collection with its events, then not found', async () => {
    const [m] = await create([{ content: 'to be deleted' }]);
    const collectionId = newId();
    await ds.query(`INSERT INTO memory_collections (id, tenant_id, name) VALUES ($1, $2, 'c-delete')`, [collectionId, TENANT]);
    await ds.query(`INSERT INTO memory_collection_items (collection_id, memory_id, tenant_id) VALUES ($1, $2, $3)`, [collectionId, m.id, TENANT]);
    await expect(commands.execute(new DeleteMemoryCommand(OTHER, m.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await commands.execute(new DeleteMemoryCommand(TENANT, m.id));
    const [row] = await ds.query(`SELECT status, deleted_at IS NOT NULL AS deleted FROM memories WHERE id = $1`, [m.id]);
    expect(row).toEqual({ status: 'deleted', deleted: true });
    expect(await ds.query(`SELECT * FROM memory_collection_items WHERE memory_id = $1`, [m.id])).toEqual([]);
    const removed = await ds.query(`SELECT type, payload FROM domain_events WHERE aggregate_id = $1`, [collectionId]);
    expect(removed).toEqual([{ type: 'MemoryRemovedFromCollection', payload: { collectionId, memoryId: m.id, reason: 'memory deleted' } }]);
    const [deleted] = await ds.query(`SELECT payload FROM domain_events WHERE aggregate_id = $1 AND type = 'MemoryDeleted'`, [m.id]);
    expect(deleted.payload).toMatchObject({ purged: false });
    await expect(queries.execute(new GetMemoryQuery(TENANT, m.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(commands.execute(new DeleteMemoryCommand(TENANT, m.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(queries.execute(new ListMemoryRevisionsQuery(TENANT, m.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
  });

  it('defaults expiresAt from the deepest enabled policy with a TTL above the namespace; expired memories are gone', async () => {
    const policy = (name: string, namespace: string, ttl: number | null, enabled = true) =>
      ds.query(`INSERT INTO memory_policies (id, tenant_id, name, namespace, ttl_days, enabled) VALUES ($1, $2, $3, $4, $5, $6)`, [newId(), TENANT, name, namespace, ttl, enabled]);
    await policy('ttl-root', 'ttl', 30);
    await policy('ttl-deep', 'ttl.deep', 2);
    await policy('ttl-disabled', 'ttl.deep.off', 1, false);
    await policy('ttl-none', 'ttl.none', null);
    const t0 = Date.now();
    const [a, b, c, d, e, f] = await create([
      { content: 'a', namespace: 'ttl' },
      { content: 'b', namespace: 'ttl.deep.x' },
      { content: 'c', namespace: 'ttl.deep.off' },
      { content: 'd', namespace: 'ttl.none' },
      { content: 'e', namespace: 'other' },
      { content: 'f', namespace: 'ttl.deep', expiresAt: '2099-01-01T00:00:00Z' },
    ]);
    const days = (view: { expiresAt: string | null }) => (view.expiresAt ? Math.round((Date.parse(view.expiresAt) - t0) / 86_400_000) : null);
    expect([a, b, c, d, e].map(days)).toEqual([30, 2, 2, 30, null]);
    expect(f.expiresAt).toBe('2099-01-01T00:00:00.000Z');
    await ds.query(`UPDATE memories SET expires_at = now() - interval '1 second' WHERE id = $1`, [a.id]);
    await expect(queries.execute(new GetMemoryQuery(TENANT, a.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    expect((await list({ namespace: 'ttl' })).items.map((x: { id: string }) => x.id)).not.toContain(a.id);
  });

  it('builds an IVFFlat index only once a model has 50 × lists rows', async () => {
    const config = moduleRef.get(AppConfig);
    const ivf = { MEMORY_INDEX_TYPE: 'ivfflat', MEMORY_IVFFLAT_LISTS: 2 } as Record<string, unknown>;
    const ivfConfig = { get: (key: string) => (key in ivf ? ivf[key] : config.get(key as never)) } as AppConfig;
    const models = new PgEmbeddingModels(moduleRef.get(MemorySql), ivfConfig);
    await models.ensure('test-ivf', 4);
    const [registered] = await ds.query(`SELECT index_type, index_name FROM memory_embedding_models WHERE model = 'test-ivf'`);
    expect(registered).toEqual({ index_type: null, index_name: null });
    const insert = (n: number) => create(Array.from({ length: n }, (_, i) => ({ content: `ivf ${i}`, embedding: unit(4, i + 1), embeddingModel: 'test-ivf' })));
    await insert(99);
    expect(await models.ensureIvfflatIndexes()).toEqual([]);
    await insert(1);
    expect(await models.ensureIvfflatIndexes()).toEqual([vectorIndexName('test-ivf')]);
    const [index] = await ds.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [vectorIndexName('test-ivf')]);
    expect(index.indexdef).toMatch(/USING ivfflat .*vector\(4\).*lists='2'/);
    expect(await models.ensureIvfflatIndexes()).toEqual([]);
    expect(await moduleRef.get(EmbeddingModels).ensureIvfflatIndexes()).toEqual([]); // hnsw configured: nothing to do
  });
});
