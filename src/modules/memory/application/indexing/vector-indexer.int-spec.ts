import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, TEST_DB, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import { AppConfig } from '@cognition/config/app-config';
import { validateEnv } from '@cognition/config/env.schema';
import { appTypeormOptions } from '@cognition/app/orm-entities';
import { newId } from '@cognition/platform/ids/uuid';
import { CreateMemoriesCommand, DeleteMemoryCommand, type MemorySearchResult, type NewMemory, SearchMemoriesQuery, UpdateMemoryCommand } from '../../contracts';
import { MemorySql } from '../../infrastructure/memory-sql';
import { vectorSearchSql } from '../../infrastructure/memory-search.sql';
import { vectorIndexName } from '../../infrastructure/pg-embedding-models';
import { VectorIndexer } from './vector-indexer';
import { seededRandom } from '@cognition/test-support/seeded-random';

const TENANT = newId();
const OTHER = newId();
const MODEL = 'indexer-16';
const DIMS = 16;

const random = seededRandom(7);
const normalise = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => Math.round((x / n) * 1e6) / 1e6);
};
const randomVector = (dims = DIMS) => normalise(Array.from({ length: dims }, () => random() * 2 - 1));
const near = (v: number[], spread: number) => normalise(v.map((x) => x + (random() - 0.5) * spread));
const cosineDistance = (a: number[], b: number[]) => 1 - a.reduce((s, x, i) => s + x * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));

async function appModule(): Promise<TestingModule> {
  const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
  const { MemoryModule } = await import('../../memory.module');
  const moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), MemoryModule] }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}

describe('deferred vector indexing (real PostgreSQL with pgvector)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let queries: QueryBus;
  let ds: DataSource;
  let indexer: VectorIndexer;
  let config: AppConfig;

  beforeAll(async () => {
    db = await createTestDatabase('memory_indexer');
    // No count before a search: every vector search takes the index path (the one with the pending branch).
    testEnv(db, { MEMORY_EXACT_SCAN_MAX_ROWS: '0' });
    moduleRef = await appModule();
    commands = moduleRef.get(CommandBus);
    queries = moduleRef.get(QueryBus);
    ds = moduleRef.get(DataSource);
    indexer = moduleRef.get(VectorIndexer);
    config = moduleRef.get(AppConfig);
    // This process's loop is stopped: the tests run the passes themselves (a process that died after
    // its writes committed, as far as the rows are concerned).
    await indexer.beforeApplicationShutdown();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await indexer.drain();
  });

  const memory = (vector: number[], extra: Partial<NewMemory> = {}): NewMemory => ({ content: `m ${newId()}`, embedding: vector, embeddingModel: MODEL, ...extra });
  const create = async (items: NewMemory[], tenantId = TENANT) => (await commands.execute(new CreateMemoriesCommand(tenantId, items))).map((v: { id: string }) => v.id);
  const search = (vector: number[], k: number, tenantId = TENANT): Promise<MemorySearchResult> =>
    queries.execute(new SearchMemoriesQuery(tenantId, { mode: 'vector', embedding: vector, embeddingModel: MODEL, k }));
  const ids = (r: MemorySearchResult) => r.items.map((i) => i.memory.id);
  const pending = async (idList: string[]) => {
    const rows: Array<{ id: string; vector_pending: boolean }> = await ds.query(`SELECT id, vector_pending FROM memories WHERE id = ANY($1)`, [idList]);
    return idList.map((id) => rows.find((r) => r.id === id)?.vector_pending);
  };
  const pendingCount = async () => (await ds.query(`SELECT count(*)::int AS n FROM memories WHERE vector_pending`))[0].n as number;

  it('a small write is stored pending (with its vector), found by search at once, and indexed by a pass', async () => {
    const v = randomVector();
    const [id] = await create([memory(v)]);
    expect(await pending([id])).toEqual([true]);
    const [row] = await ds.query(`SELECT vector_dims(embedding) AS dims FROM memories WHERE id = $1`, [id]);
    expect(row.dims).toBe(DIMS);
    const before = await search(v, 1);
    expect(before.strategy?.vector).toBe('index');
    expect(ids(before)).toEqual([id]);
    expect(before.items[0].score).toBeCloseTo(1, 5);
    expect(await indexer.indexBatch()).toBe(1);
    expect(await pending([id])).toEqual([false]);
    expect(ids(await search(v, 1))).toEqual([id]);
  });

  it('a write of more than MEMORY_DEFER_INDEX_MAX_BATCH memories indexes in the request; one of exactly that many defers', async () => {
    const max = config.get('MEMORY_DEFER_INDEX_MAX_BATCH');
    const inline = await create(Array.from({ length: max + 1 }, () => memory(randomVector())));
    expect(new Set(await pending(inline))).toEqual(new Set([false]));
    const deferred = await create(Array.from({ length: max }, () => memory(randomVector())));
    expect(new Set(await pending(deferred))).toEqual(new Set([true]));
    expect(await indexer.drain()).toBe(max);
  });

  it('searches merge the pending rows with the index exactly: the nearest k of both, in distance order', async () => {
    const q = randomVector();
    const indexed = Array.from({ length: 300 }, () => near(q, 1.2));
    const indexedIds = await create(indexed.map((v) => memory(v)));
    await indexer.drain();
    const fresh = Array.from({ length: 12 }, () => near(q, 0.3));
    const freshIds: string[] = [];
    for (const v of fresh) freshIds.push(...(await create([memory(v)])));
    expect(new Set(await pending(freshIds))).toEqual(new Set([true]));
    const all = new Map<string, number[]>([...indexedIds.map((id, i) => [id, indexed[i]] as const), ...freshIds.map((id, i) => [id, fresh[i]] as const)]);
    const truth = (k: number) =>
      [...all]
        .map(([id, v]) => ({ id, d: cosineDistance(v, q) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, k);
    for (const k of [5, 30]) {
      const result = await search(q, k);
      expect(result.items).toHaveLength(k);
      const scores = result.items.map((i) => i.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      // Every pending row that belongs in the top k is there (exact), and the rest is the index's answer.
      const expected = truth(k);
      const expectedPending = expected.filter((e) => freshIds.includes(e.id)).map((e) => e.id);
      expect(ids(result).filter((id) => freshIds.includes(id)).sort()).toEqual(expectedPending.sort());
      const recall = ids(result).filter((id) => expected.some((e) => e.id === id)).length / k;
      expect(recall).toBeGreaterThanOrEqual(0.9);
    }
    expect(await indexer.drain()).toBe(12);
    expect(ids(await search(q, 5))).toEqual(truth(5).map((e) => e.id));
  });

  it('keeps tenants apart: another tenant’s pending rows never come back, and the indexer takes every tenant’s', async () => {
    const q = randomVector();
    const [mine] = await create([memory(near(q, 0.8))]);
    const theirs = await create([memory(q), memory(near(q, 0.05))], OTHER);
    expect(await pending([mine, ...theirs])).toEqual([true, true, true]);
    const result = await search(q, 10);
    expect(ids(result)).toContain(mine);
    expect(ids(result).some((id) => theirs.includes(id))).toBe(false);
    expect(ids(await search(q, 2, OTHER)).sort()).toEqual([...theirs].sort());
    await indexer.drain();
    expect(await pending([mine, ...theirs])).toEqual([false, false, false]);
    expect(ids(await search(q, 10)).some((id) => theirs.includes(id))).toBe(false);
  });

  it('skips a row another transaction holds and indexes it in a later pass', async () => {
    const created = await create([memory(randomVector())]);
    const [held] = created;
    const others = [...(await create([memory(randomVector())])), ...(await create([memory(randomVector())]))];
    const client = new Client({ ...TEST_DB, database: db.name });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM memories WHERE id = $1 FOR UPDATE`, [held]);
      expect(await indexer.indexBatch()).toBe(2);
      expect(await pending([held, ...others])).toEqual([true, false, false]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    expect(await indexer.indexBatch()).toBe(1);
    expect(await pending([held])).toEqual([false]);
  });

  it('a failed pass leaves the rows pending and found; the next pass indexes them', async () => {
    const v = randomVector();
    const [id] = await create([memory(v)]);
    const sql = moduleRef.get(MemorySql);
    jest.spyOn(sql, 'query').mockImplementationOnce(() => Promise.reject(new Error('connection lost')));
    await expect(indexer.indexBatch()).rejects.toThrow('connection lost');
    expect(await pending([id])).toEqual([true]);
    expect(ids(await search(v, 1))).toEqual([id]);
    expect(await indexer.indexBatch()).toBe(1);
    expect(await pending([id])).toEqual([false]);
  });

  it('a pending memory can be updated and deleted before it is indexed; a deleted one never comes back', async () => {
    const v = randomVector();
    const [kept, removed] = [...(await create([memory(v)])), ...(await create([memory(near(v, 0.01))]))];
    const updated = await commands.execute(new UpdateMemoryCommand(TENANT, kept, { importance: 'critical', tags: ['changed'] }));
    expect(updated).toMatchObject({ importance: 'critical', tags: ['changed'], revision: 2 });
    await commands.execute(new DeleteMemoryCommand(TENANT, removed));
    expect(await pending([kept, removed])).toEqual([true, true]);
    const found = ids(await search(v, 5));
    expect(found[0]).toBe(kept);
    expect(found).not.toContain(removed);
    expect(await indexer.drain()).toBe(2);
    const [row] = await ds.query(`SELECT importance, tags, row_version, vector_pending FROM memories WHERE id = $1`, [kept]);
    expect(row).toEqual({ importance: 'critical', tags: ['changed'], row_version: 2, vector_pending: false });
    const after = ids(await search(v, 5));
    expect(after[0]).toBe(kept);
    expect(after).not.toContain(removed);
  });

  it('back-pressure: while more than MEMORY_DEFER_INDEX_MAX_PENDING rows wait, writes index in the request', async () => {
    const get = config.get.bind(config);
    const overrides: Record<string, number> = { MEMORY_INDEXER_BATCH: 2, MEMORY_DEFER_INDEX_MAX_PENDING: 3 };
    jest.spyOn(config, 'get').mockImplementation(((key: string) => (key in overrides ? overrides[key] : get(key as never))) as typeof config.get);
    const waiting: string[] = [];
    for (let i = 0; i < 5; i++) waiting.push(...(await create([memory(randomVector())])));
    expect(new Set(await pending(waiting))).toEqual(new Set([true]));
    expect(indexer.mayDefer(1)).toBe(true);
    expect(await indexer.indexBatch()).toBe(2); // a full batch: the indexer counts what is left (3)
    expect(indexer.mayDefer(1)).toBe(false);
    const [inline] = await create([memory(randomVector())]);
    expect(await pending([inline])).toEqual([false]);
    expect(await indexer.drain()).toBe(3);
    expect(indexer.mayDefer(1)).toBe(true);
    const [deferred] = await create([memory(randomVector())]);
    expect(await pending([deferred])).toEqual([true]);
  });

  it('a model without an HNSW index (over 2,000 dimensions) is never pending', async () => {
    const [id] = await create([{ content: 'wide', embedding: randomVector(2001), embeddingModel: 'indexer-wide-2001' }]);
    expect(await pending([id])).toEqual([false]);
    const [model] = await ds.query(`SELECT index_type FROM memory_embedding_models WHERE model = 'indexer-wide-2001'`);
    expect(model.index_type).toBeNull();
  });

  it('the search statement reads the model’s HNSW index and the pending rows through their own index', async () => {
    await create(Array.from({ length: 200 }, () => memory(randomVector())));
    await ds.query('ANALYZE memories');
    const sql = vectorSearchSql({ tenantId: TENANT, filters: {}, model: MODEL, dimensions: DIMS, vector: randomVector(), limit: 10, strategy: 'index' });
    const plan = await ds.transaction(async (em) => {
      await em.query('SET LOCAL enable_seqscan = off');
      return (await em.query(`EXPLAIN ${sql.text}`, sql.params)).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Scan using memories_vec_\w+ on memories/);
    expect(plan).toMatch(/idx_memories_vector_pending/);
  });

  it('rows a process left pending when it died are indexed by the next process at its start', async () => {
    const left = [...(await create([memory(randomVector())])), ...(await create([memory(randomVector())]))];
    expect(await pending(left)).toEqual([true, true]);
    const next = await appModule();
    try {
      const deadline = Date.now() + 30_000;
      while ((await pendingCount()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await pending(left)).toEqual([false, false]);
    } finally {
      await next.close();
    }
  });
});

describe('migration MemoryVectorPending1764150820000 on a database with indexed models', () => {
  const MIGRATION = 1764150820000;
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('memory_pending_migration');
    const env = validateEnv({ DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: db.name });
    ds = new DataSource(appTypeormOptions(env));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** Reverts migrations, newest first, until this one is no longer applied. */
  const revertThis = async () => {
    for (;;) {
      const [last] = await ds.query(`SELECT timestamp FROM typeorm_migrations ORDER BY timestamp DESC LIMIT 1`);
      if (Number(last.timestamp) < MIGRATION) return;
      await ds.undoLastMigration({ transaction: 'each' });
    }
  };
  const definition = async (name: string) => (await ds.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [name]))[0]?.indexdef as string | undefined;

  it('rebuilds each model’s index under its name with the pending predicate; down restores it', async () => {
    await revertThis();
    const model = "old's-4";
    const name = vectorIndexName(model);
    await ds.query(`INSERT INTO memory_embedding_models (model, dimensions, index_type, index_name) VALUES ($1, 4, 'hnsw', $2)`, [model, name]);
    await ds.query(`CREATE INDEX ${name} ON memories USING hnsw ((embedding::vector(4)) vector_cosine_ops) WITH (m = 12, ef_construction = 40) WHERE embedding_model = 'old''s-4'`);
    await ds.query(
      `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank)
       SELECT gen_random_uuid(), $1, 'old ' || g, 'fact', 'global', 'default', ARRAY[g, 1, 0, 0]::real[]::vector, $2, 'active', 'medium', 2 FROM generate_series(1, 3) g`,
      [TENANT, model],
    );
    const before = await definition(name);
    expect(before).toMatch(/WHERE \(embedding_model = 'old''s-4'::text\)$/);

    await ds.runMigrations({ transaction: 'each' });
    const after = await definition(name);
    expect(after).toBe(before!.replace(/WHERE \(embedding_model = 'old''s-4'::text\)$/, `WHERE ((embedding_model = 'old''s-4'::text) AND (NOT vector_pending))`));
    expect(after).toMatch(/WITH \(m='12', ef_construction='40'\)/);
    expect(await definition(`${name}_next`)).toBeUndefined();
    expect(await ds.query(`SELECT count(*)::int AS n FROM memories WHERE embedding_model = $1 AND NOT vector_pending`, [model])).toEqual([{ n: 3 }]);
    const plan = await ds.transaction(async (em) => {
      await em.query('SET LOCAL enable_seqscan = off');
      return JSON.stringify(await em.query(`EXPLAIN SELECT id FROM memories WHERE embedding_model = 'old''s-4' AND NOT vector_pending ORDER BY embedding::vector(4) <=> '[1,0,0,0]' LIMIT 2`));
    });
    expect(plan).toContain(name);

    await revertThis();
    expect(await definition(name)).toBe(before);
    expect(await ds.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'memories' AND column_name = 'vector_pending'`)).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect(await definition(name)).toBe(after);
  });
});
