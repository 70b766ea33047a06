import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { memoryTestModule } from '@cognition/test-support/memory-test-module';
import { TestDatabase } from '@cognition/test-support/test-database';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { newId } from '@cognition/platform/ids/uuid';
import { MemorySearchRequest, SearchMemoriesQuery } from '../contracts';
import { SearchMemoriesQueryHandler } from '../application/queries/search-memories/search-memories.query-handler';
import { EmbeddingModels } from '../domain/embedding-models.port';
import { EmbeddingProvider } from '../domain/embedding-provider.port';
import { MemorySearchAccessRecorder, RECORD_ACCESSES_NAME } from './memory-search-access.recorder';
import { MemorySearchPool, SearchConnection } from './memory-search.pool';
import { MemorySearchReader } from './memory-search.reader';
import { vectorIndexName, vectorIndexSql } from './pg-embedding-models';
import { fromVectorBinary } from './vector-text';

const TENANT = newId();
const MODEL = 'plans-384';
const DIMS = 384;
const ROWS = 12_000;
/** Every 10th row: 1,200 rows, above the exact-scan threshold below, so the search takes the index path. */
const BROAD = 'plans.ten';
/** Every 100th row: 120 rows, at most the threshold: the exact path. */
const NARROW = 'plans.ten.one';
const EXACT_MAX = 500;

interface Sent {
  text: string;
  params: unknown[];
  name?: string;
  /** The search pool's connection it was sent on. */
  connection: SearchConnection;
}

/** A parameter as an SQL literal (for EXECUTE of a prepared statement); a vector may be sent in binary. */
const literal = (v: unknown) => {
  const text = Buffer.isBuffer(v) ? `[${fromVectorBinary(v).join(',')}]` : Array.isArray(v) ? `{${v.join(',')}}` : String(v);
  return `'${text.replace(/'/g, "''")}'`;
};

/**
 * The plan flip (issue 14): a search statement prepared once per connection and executed again
 * with other parameters switched to a generic plan after five executions (bitmap scan of the
 * filter's index + sort, chosen for a filter selectivity the planner guesses without the value),
 * while the answer still said "index". Here every search of one connection is repeated 20 times
 * and then the plan of its vector statement is explained on that very connection, the way the
 * search runs it (EXECUTE of the prepared statement when it is one).
 */
describe('Memory search plans (real PostgreSQL with pgvector): no plan flip after repeats', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let pool: MemorySearchPool;
  let handler: SearchMemoriesQueryHandler;
  let query: number[];
  let recorder: MemorySearchAccessRecorder;
  const sent: Sent[] = [];

  beforeAll(async () => {
    ({ db, moduleRef } = await memoryTestModule('memory_search_plans'));
    const ds = moduleRef.get(DataSource);
    const config = moduleRef.get(AppConfig);
    // A pool of its own (its connections are explained after the searches) and a low exact-scan
    // threshold (so 10 % of 12,000 rows is "broad").
    const overrides: Record<string, number> = { MEMORY_EXACT_SCAN_MAX_ROWS: EXACT_MAX, MEMORY_EF_SEARCH: 40 };
    const testConfig = Object.create(config, {
      get: { value: (key: string) => (key in overrides ? overrides[key] : config.get(key as never)) },
      all: { get: () => ({ ...config.all, ...overrides }) },
    }) as AppConfig;
    pool = new MemorySearchPool(testConfig);
    const reader = new MemorySearchReader(pool, testConfig);
    // A recorder that is never started: its counts are written only when a test flushes it.
    recorder = new MemorySearchAccessRecorder(pool, moduleRef.get(BackgroundJobs));
    handler = new SearchMemoriesQueryHandler(reader, moduleRef.get(EmbeddingProvider), moduleRef.get(EmbeddingModels), recorder);

    // The model, seeded pseudo-random unit vectors generated in PostgreSQL, then the model's partial HNSW index (built once, faster than row by row).
    await ds.query(`INSERT INTO memory_embedding_models (model, dimensions, index_type, index_name) VALUES ($1, $2, 'hnsw', $3)`, [MODEL, DIMS, vectorIndexName(MODEL)]);
    await ds.query(`SELECT setseed(0.14)`);
    await ds.query(
      `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank, metadata, tags)
       SELECT gen_random_uuid(), $1, 'plan row ' || i, 'fact', 'global',
              (CASE WHEN i % 100 = 0 THEN '${NARROW}' WHEN i % 10 = 0 THEN '${BROAD}' ELSE 'plans.rest' END)::ltree,
              l2_normalize((SELECT array_agg(random() - 0.5) FROM generate_series(1, ${DIMS}) d WHERE i > 0)::vector), '${MODEL}',
              'active', 'medium', 2, '{}'::jsonb, '{}'::text[]
       FROM generate_series(1, ${ROWS}) AS i`,
      [TENANT],
    );
    await ds.query(vectorIndexSql(MODEL, DIMS, 'hnsw', 'm = 16, ef_construction = 64'));
    await ds.query('ANALYZE memories');
    const [{ v }] = await ds.query(`SELECT embedding::text AS v FROM memories WHERE namespace = '${BROAD}' LIMIT 1`);
    query = (JSON.parse(v) as number[]).map((x, i) => x + (i % 7 === 0 ? 0.01 : 0));

    // Record what the search sends, on the connection it sends it on.
    const run = pool.run.bind(pool);
    jest.spyOn(pool, 'run').mockImplementation((fn, plans) =>
      run(
        (c: SearchConnection) =>
          fn({
            ...c,
            query: (text, params, name) => {
              sent.push({ text, params, name, connection: c });
              return c.query(text, params, name);
            },
          }),
        plans,
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await pool?.onApplicationShutdown();
    await moduleRef?.close();
    await db?.drop();
  });

  function lastVector(): Sent {
    const last = [...sent].reverse().find((s) => /<=>/.test(s.text));
    if (!last) throw new Error('no vector statement was sent');
    return last;
  }

  /** How the connection the last vector statement was sent on plans prepared statements. */
  async function lastVectorPlanning(): Promise<{ prepared: boolean; mode: string }> {
    const last = lastVector();
    const [{ plan_cache_mode }] = await last.connection.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode', []);
    return { prepared: last.name !== undefined, mode: plan_cache_mode };
  }

  /** The plan of the last vector statement sent, explained on the search connection as the search ran it. */
  async function lastVectorPlan(): Promise<string> {
    const last = lastVector();
    sent.length = 0;
    // That very connection (back in the pool, idle: nothing else uses this pool), with its settings and prepared statements.
    const c = last.connection;
    const rows = last.name
      ? await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${last.name}(${last.params.map(literal).join(', ')})`, [])
      : await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${last.text}`, last.params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  async function repeat(request: MemorySearchRequest, times = 20): Promise<string[]> {
    const strategies: string[] = [];
    for (let i = 0; i < times; i++) {
      // Another query vector each time, as real traffic has (the statement is the same).
      const embedding = query.map((x, d) => (d === i % DIMS ? x + 0.02 : x));
      const result = await handler.execute(new SearchMemoriesQuery(TENANT, { ...request, embedding }));
      strategies.push(result.strategy?.vector ?? 'none');
      expect(result.items.length).toBe(request.k ?? 10);
    }
    return strategies;
  }

  const HNSW = /Index Scan using memories_vec_/;

  it('a 10 % filter at efSearch 160, 20 times: still the HNSW index, and the answer says index', async () => {
    const strategies = await repeat({ mode: 'vector', embeddingModel: MODEL, k: 10, efSearch: 160, filters: { namespace: BROAD } });
    expect(new Set(strategies)).toEqual(new Set(['index']));
    // Prepared, its plan kept (planning it at every execution would cost more than the search).
    expect(await lastVectorPlanning()).toEqual({ prepared: true, mode: 'auto' });
    const plan = await lastVectorPlan();
    expect(plan).toMatch(HNSW);
    expect(plan).not.toMatch(/Bitmap Heap Scan/);
  });

  it('hybrid with 40 candidates at efSearch 80, 20 times: still the HNSW index', async () => {
    const strategies = await repeat({ mode: 'hybrid', query: 'plan row', embeddingModel: MODEL, k: 10, efSearch: 80, filters: { namespace: BROAD } });
    expect(new Set(strategies)).toEqual(new Set(['index']));
    const plan = await lastVectorPlan();
    expect(plan).toMatch(/Limit/);
    expect(plan).toMatch(HNSW);
  });

  it('re-ranked with 40 candidates at efSearch 80, 20 times: still the HNSW index', async () => {
    const strategies = await repeat({ mode: 'vector', rerank: true, embeddingModel: MODEL, k: 10, efSearch: 80, filters: { namespace: BROAD } });
    expect(new Set(strategies)).toEqual(new Set(['index']));
    expect(await lastVectorPlan()).toMatch(HNSW);
  });

  it('a 1 % filter, 20 times: the exact path, never the HNSW index, and the answer says exact', async () => {
    const strategies = await repeat({ mode: 'vector', embeddingModel: MODEL, k: 10, efSearch: 160, filters: { namespace: NARROW } });
    expect(new Set(strategies)).toEqual(new Set(['exact']));
    // Prepared (parsed once per connection) on a connection that plans every execution for its values.
    expect(await lastVectorPlanning()).toEqual({ prepared: true, mode: 'force_custom_plan' });
    const plan = await lastVectorPlan();
    expect(plan).toMatch(/Sort/);
    expect(plan).not.toMatch(HNSW);
    // A sort costs 1e10 on search connections (enable_sort = off): never worth compiling (JIT).
    expect(plan).not.toMatch(/JIT/);
  });

  it('the access counts, flushed 8 times: each id probes the primary key of memories (no walk of it, no sort)', async () => {
    const ds = moduleRef.get(DataSource);
    const ids: string[] = (await ds.query(`SELECT id FROM memories ORDER BY id LIMIT 2000`)).map((r: { id: string }) => r.id);
    await recorder.flush(); // the hits of the searches above
    const total = async (): Promise<number> => (await ds.query(`SELECT COALESCE(sum(access_count), 0)::int AS n FROM memory_access`))[0].n;
    const before = await total();
    sent.length = 0;
    for (let i = 0; i < 8; i++) {
      recorder.record(ids.slice(i * 200, i * 200 + 400));
      await recorder.flush();
    }
    const last = [...sent].reverse().find((s) => s.name === RECORD_ACCESSES_NAME)!;
    sent.length = 0;
    const rows = await last.connection.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${last.name}(${last.params.map(literal).join(', ')})`, []);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index Only Scan using memories_pkey on memories m .*\n\s+Index Cond: \(id = a\.id\)/);
    expect(plan).not.toMatch(/Join Filter|Sort|Seq Scan on memories/);
    expect((await total()) - before).toBe(8 * 400);
  });
});
