import { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { memoryTestModule } from '@cognition/test-support/memory-test-module';
import { TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { newId } from '@cognition/platform/ids/uuid';
import { MemorySearchRequest, MemorySearchResult, SearchMemoriesQuery } from '../contracts';
import { SearchMemoriesQueryHandler } from '../application/queries/search-memories/search-memories.query-handler';
import { EmbeddingModels } from '../domain/embedding-models.port';
import { EmbeddingProvider } from '../domain/embedding-provider.port';
import { MemorySearchAccessRecorder } from './memory-search-access.recorder';
import { MemorySearchPool } from './memory-search.pool';
import { MemorySearchReader } from './memory-search.reader';
import { EXACT_SORT_IDS_FROM_ROWS, vectorSearchSql } from './memory-search.sql';
import { seededRandom } from '@cognition/test-support/seeded-random';

const TENANT = newId();
const OTHER_TENANT = newId();


const normalise = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));

interface Seed {
  id?: string;
  tenantId?: string;
  content?: string;
  namespace?: string;
  vector?: number[] | null;
  model?: string | null;
  status?: string;
  importance?: string;
  expiresAt?: string | null;
  metadata?: Record<string, unknown>;
  tags?: string[];
  userId?: string | null;
}

describe('Memory search (real PostgreSQL with pgvector)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let ds: DataSource;
  let handler: SearchMemoriesQueryHandler;
  let provider: EmbeddingProvider;
  let models: EmbeddingModels;
  let pool: MemorySearchPool;
  let config: AppConfig;

  beforeAll(async () => {
    ({ db, moduleRef } = await memoryTestModule('memory_search'));
    ds = moduleRef.get(DataSource);
    handler = moduleRef.get(SearchMemoriesQueryHandler);
    provider = moduleRef.get(EmbeddingProvider);
    models = moduleRef.get(EmbeddingModels);
    pool = moduleRef.get(MemorySearchPool);
    config = moduleRef.get(AppConfig);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  async function insert(seeds: Seed[]): Promise<string[]> {
    const rows = seeds.map((s) => ({ ...s, id: s.id ?? newId() }));
    await ds.query(
      `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank,
                             metadata, tags, user_id, expires_at, deleted_at)
       SELECT r.id, r.tenant_id, r.content, 'fact', 'global', r.namespace::ltree, r.embedding::vector, r.model, r.status, r.importance,
              array_position(ARRAY['low','medium','high','critical'], r.importance), r.metadata, r.tags, r.user_id, r.expires_at,
              CASE WHEN r.status = 'deleted' THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant_id uuid, content text, namespace text, embedding text, model text, status text,
                                             importance text, metadata jsonb, tags text[], user_id text, expires_at timestamptz)`,
      [
        JSON.stringify(
          rows.map((s) => ({
            id: s.id,
            tenant_id: s.tenantId ?? TENANT,
            content: s.content ?? `memory ${s.id}`,
            namespace: s.namespace ?? 'default',
            embedding: s.vector ? `[${s.vector.join(',')}]` : null,
            model: s.vector ? (s.model ?? provider.model) : null,
            status: s.status ?? 'active',
            importance: s.importance ?? 'medium',
            metadata: s.metadata ?? {},
            tags: s.tags ?? [],
            user_id: s.userId ?? null,
            expires_at: s.expiresAt ?? null,
          })),
        ),
      ],
    );
    return rows.map((r) => r.id);
  }

  const embed = async (text: string) => (await provider.embed([text])).vectors[0];
  const search = (request: MemorySearchRequest, tenantId = TENANT): Promise<MemorySearchResult> => handler.execute(new SearchMemoriesQuery(tenantId, request));
  const ids = (result: MemorySearchResult) => result.items.map((i) => i.memory.id);
  const registerModel = (model: string, dims: number) => ds.transaction(() => models.ensure(model, dims));

  describe('filters and visibility', () => {
    const texts: Record<string, string> = {};
    let byName: Record<string, string>;

    beforeAll(async () => {
      await registerModel(provider.model, provider.dimensions);
      const seeds: (Seed & { name: string })[] = [
        { name: 'support', namespace: 'acme.support', content: 'the customer prefers delivery on mondays' },
        { name: 'agent42', namespace: 'acme.support.agent42', content: 'delivery address changed to the warehouse' },
        { name: 'sales', namespace: 'acme.sales', content: 'delivery of the quote is due on friday' },
        { name: 'lookalike', namespace: 'acme.supportx', content: 'delivery notes for the support team' },
        { name: 'expired', namespace: 'acme.support', content: 'delivery window expired yesterday', expiresAt: new Date(Date.now() - 60_000).toISOString() },
        { name: 'deleted', namespace: 'acme.support', content: 'delivery was cancelled and deleted', status: 'deleted' },
        { name: 'archived', namespace: 'acme.support', content: 'delivery history archived last year', status: 'archived' },
        { name: 'critical', namespace: 'acme.support', content: 'never ship delivery without a signature', importance: 'critical', tags: ['policy', 'shipping'], metadata: { channel: 'email' } },
        { name: 'foreign', namespace: 'acme.support', content: 'delivery preferences of another tenant', tenantId: OTHER_TENANT },
      ];
      for (const s of seeds) {
        texts[s.name] = s.content!;
        s.vector = await embed(s.content!);
      }
      const inserted = await insert(seeds);
      byName = Object.fromEntries(seeds.map((s, i) => [s.name, inserted[i]]));
    });

    const names = (result: MemorySearchResult) => ids(result).map((id) => Object.keys(byName).find((n) => byName[n] === id));

    it.each(['vector', 'text', 'hybrid'] as const)('%s mode: a namespace filter matches the whole subtree and nothing else', async (mode) => {
      const result = await search({ query: 'delivery', mode, k: 20, filters: { namespace: 'acme.support' } });
      expect(names(result).sort()).toEqual(['agent42', 'critical', 'support']);
    });

    it.each(['vector', 'text', 'hybrid'] as const)('%s mode: expired and deleted memories never come back; archived only when asked', async (mode) => {
      const plain = names(await search({ query: 'delivery', mode, k: 50 }));
      expect(plain).not.toEqual(expect.arrayContaining(['expired']));
      expect(plain).not.toContain('deleted');
      expect(plain).not.toContain('archived');
      expect(plain).not.toContain('foreign');
      const withArchived = names(await search({ query: 'delivery', mode, k: 50, filters: { includeArchived: true } }));
      expect(withArchived).toContain('archived');
      expect(withArchived).not.toContain('expired');
      expect(withArchived).not.toContain('deleted');
    });

    it('applies the other filters (importance, tags, metadata) and keeps tenants apart', async () => {
      expect(names(await search({ query: 'delivery', filters: { minImportance: 'high' } }))).toEqual(['critical']);
      expect(names(await search({ query: 'delivery', filters: { tags: { all: ['policy', 'shipping'] } } }))).toEqual(['critical']);
      expect(names(await search({ query: 'delivery', filters: { metadata: { channel: 'email' } } }))).toEqual(['critical']);
      expect(names(await search({ query: 'delivery' }, OTHER_TENANT))).toEqual(['foreign']);
    });

    it('text mode ranks by ts_rank_cd and hybrid carries both component scores', async () => {
      const text = await search({ query: 'warehouse address', mode: 'text' });
      expect(names(text)).toEqual(['agent42']);
      expect(text.items[0].scores.text).toBeGreaterThan(0);
      expect(text.items[0].score).toBe(text.items[0].scores.text);
      const hybrid = await search({ query: 'delivery address changed to the warehouse', k: 3 });
      expect(names(hybrid)[0]).toBe('agent42');
      expect(hybrid.items[0].scores).toEqual({ vector: expect.any(Number), text: expect.any(Number) });
      expect(hybrid.items[0].scores.vector).toBeCloseTo(1, 5);
    });

    it('minScore drops weaker hits', async () => {
      const all = await search({ query: 'delivery address changed to the warehouse', mode: 'vector', k: 10 });
      expect(all.items.length).toBeGreaterThan(1);
      const strong = await search({ query: 'delivery address changed to the warehouse', mode: 'vector', k: 10, minScore: 0.99 });
      expect(names(strong)).toEqual(['agent42']);
    });

    it('counts an access of each returned memory after the answer, without touching updated_at or the revision', async () => {
      const quiet = new MemorySearchAccessRecorder(pool, moduleRef.get(BackgroundJobs)); // no loop started: flushed by hand below
      const reader = moduleRef.get(MemorySearchReader);
      const own = new SearchMemoriesQueryHandler(reader, provider, models, quiet);
      const read = async () =>
        (
          await ds.query(
            `SELECT COALESCE(a.access_count, 0) AS access_count, a.last_accessed_at, m.updated_at, m.row_version
               FROM memories m LEFT JOIN memory_access a ON a.memory_id = m.id WHERE m.id = $1`,
            [byName.agent42],
          )
        )[0] as {
          access_count: number;
          last_accessed_at: Date | null;
          updated_at: Date;
          row_version: number;
        };
      await moduleRef.get(MemorySearchAccessRecorder).flush(); // the accesses of the tests above
      const before = await read();
      const result = await own.execute(new SearchMemoriesQuery(TENANT, { query: 'warehouse', mode: 'text' }));
      expect(ids(result)).toEqual([byName.agent42]);
      expect((await read()).access_count).toBe(before.access_count); // answered before anything was written
      await own.execute(new SearchMemoriesQuery(TENANT, { query: 'warehouse', mode: 'text' }));
      await quiet.flush();
      const after = await read();
      expect(after.access_count).toBe(before.access_count + 2);
      expect(after.last_accessed_at).not.toBeNull();
      expect(after.updated_at).toEqual(before.updated_at);
      expect(after.row_version).toBe(before.row_version);
    });

    it('the module’s recorder flushes by itself within moments', async () => {
      await moduleRef.get(MemorySearchAccessRecorder).flush(); // the accesses of the tests above
      const countOf = async (): Promise<number> =>
        (await ds.query(`SELECT COALESCE((SELECT access_count FROM memory_access WHERE memory_id = $1), 0) AS n`, [byName.sales]))[0].n;
      const before = await countOf();
      await search({ query: 'quote friday', mode: 'text' });
      const deadline = Date.now() + 5000;
      let now = before;
      while (now === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        now = await countOf();
      }
      expect(now).toBe(before + 1);
    });
  });

  describe('model separation', () => {
    beforeAll(async () => {
      await registerModel('sep-3', 3);
      await registerModel('sep-5', 5);
      await insert([
        { namespace: 'sep', content: 'three a', vector: [1, 0, 0], model: 'sep-3' },
        { namespace: 'sep', content: 'three b', vector: [0, 1, 0], model: 'sep-3' },
        { namespace: 'sep', content: 'five a', vector: [1, 0, 0, 0, 0], model: 'sep-5' },
        { namespace: 'sep', content: 'five b', vector: [0, 1, 0, 0, 0], model: 'sep-5' },
      ]);
    });

    it('a query of one model never returns another model’s rows', async () => {
      const three = await search({ embedding: [1, 0, 0], embeddingModel: 'sep-3', mode: 'vector', k: 10, filters: { namespace: 'sep' } });
      expect(three.items.map((i) => i.memory.content)).toEqual(['three a', 'three b']);
      expect(three.items.every((i) => i.memory.embeddingModel === 'sep-3')).toBe(true);
      const five = await search({ embedding: [0, 1, 0, 0, 0], embeddingModel: 'sep-5', mode: 'vector', k: 10, filters: { namespace: 'sep' } });
      expect(five.items.map((i) => i.memory.content)).toEqual(['five b', 'five a']);
      expect(five.items[0].score).toBeCloseTo(1, 6);
    });

    it('a vector of the wrong length is 422 EMBEDDING_DIMENSION_MISMATCH naming both dimensions', async () => {
      await expect(search({ embedding: [1, 0, 0], embeddingModel: 'sep-5', mode: 'vector' })).rejects.toMatchObject({
        code: 'EMBEDDING_DIMENSION_MISMATCH',
        message: expect.stringMatching(/3 dimensions.*sep-5 has 5/),
      });
    });

    it('a model that never stored a vector has no vector hits', async () => {
      expect(await search({ embedding: [1, 0], embeddingModel: 'never-used', mode: 'vector' })).toEqual({ items: [], strategy: { vector: 'none' } });
    });
  });

  describe('filtered recall: exact scan and iterative index scan', () => {
    const DIMS = 32;
    const MODEL = 'clustered-32';
    const K = 20;
    const vectors = new Map<string, number[]>();
    const filtered = new Set<string>();
    let query: number[];

    beforeAll(async () => {
      await registerModel(MODEL, DIMS);
      const random = seededRandom(42);
      const centers = Array.from({ length: 16 }, () => normalise(Array.from({ length: DIMS }, () => random() * 2 - 1)));
      const seeds: Seed[] = [];
      for (let i = 0; i < 4000; i++) {
        const center = centers[i % centers.length];
        const vector = normalise(center.map((x) => x + (random() - 0.5) * 0.5)).map((x) => Math.round(x * 1e6) / 1e6);
        const id = newId();
        const rare = random() < 0.05; // ~200 rows, spread over every cluster
        vectors.set(id, vector);
        if (rare) filtered.add(id);
        seeds.push({ id, namespace: rare ? 'recall.rare' : 'recall.common', vector, model: MODEL });
      }
      await insert(seeds);
      await ds.query('ANALYZE memories');
      query = normalise(centers[3].map((x) => x + 0.05));
    });

    const bruteForce = () =>
      [...filtered]
        .map((id) => ({ id, similarity: cosine(vectors.get(id)!, query) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, K)
        .map((x) => x.id);
    const request = (): MemorySearchRequest => ({ embedding: query, embeddingModel: MODEL, mode: 'vector', k: K, filters: { namespace: 'recall.rare' } });

    it('a plain WHERE on the HNSW index (no iterative scan) returns fewer than k rows', async () => {
      const sql = vectorSearchSql({ tenantId: TENANT, filters: { namespace: 'recall.rare' }, model: MODEL, dimensions: DIMS, vector: query, limit: K, strategy: 'index' });
      const client = new Client({ ...TEST_DB, database: db.name });
      await client.connect();
      try {
        await client.query(`SET hnsw.iterative_scan = off; SET hnsw.ef_search = 40; SET enable_seqscan = off; SET enable_bitmapscan = off`);
        const plan = (await client.query(`EXPLAIN ${sql.text}`, sql.params)).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index Scan using memories_vec_/);
        const { rows } = await client.query(sql.text, sql.params);
        expect(rows.length).toBeLessThan(K);
      } finally {
        await client.end();
      }
    });

    it('through the exact path (a selective filter): exactly the brute-force answer', async () => {
      const result = await search(request());
      expect(result.strategy).toEqual({ vector: 'exact', estimatedMatches: filtered.size });
      expect(ids(result)).toEqual(bruteForce());
      for (const item of result.items) expect(item.score).toBeCloseTo(cosine(vectors.get(item.memory.id)!, query), 5);
    });

    it('through the exact path over many rows (ids sorted first, then read by key): exactly the brute-force answer, vectors on request', async () => {
      const common = [...vectors.keys()].filter((id) => !filtered.has(id));
      expect(common.length).toBeGreaterThanOrEqual(EXACT_SORT_IDS_FROM_ROWS);
      const result = await search({ ...request(), filters: { namespace: 'recall.common' }, includeEmbedding: true });
      expect(result.strategy).toEqual({ vector: 'exact', estimatedMatches: common.length });
      const truth = common
        .map((id) => ({ id, similarity: cosine(vectors.get(id)!, query) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, K);
      expect(ids(result)).toEqual(truth.map((x) => x.id));
      result.items.forEach((item, i) => {
        expect(item.score).toBeCloseTo(truth[i].similarity, 5);
        expect(item.memory.embedding).toEqual(vectors.get(item.memory.id));
        expect(item.memory.content).toBe(`memory ${item.memory.id}`);
      });
      // That statement sorts ids, joins back by primary key, and never touches the HNSW index.
      const sql = vectorSearchSql({ tenantId: TENANT, filters: { namespace: 'recall.common' }, model: MODEL, dimensions: DIMS, vector: query, limit: K, strategy: 'exact', matches: common.length });
      const plan = (await pool.run((c) => c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, sql.params))).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using memories_pkey/);
      expect(plan).not.toMatch(/memories_vec_/);
    });

    it('through the iterative index path (MEMORY_EXACT_SCAN_MAX_ROWS low): k correct rows, in distance order', async () => {
      const lowThreshold = { get: (key: string) => (key === 'MEMORY_EXACT_SCAN_MAX_ROWS' ? 50 : config.get(key as never)) } as AppConfig;
      const reader = new MemorySearchReader(pool, lowThreshold);
      const viaIndex = new SearchMemoriesQueryHandler(reader, provider, models, new MemorySearchAccessRecorder(pool, moduleRef.get(BackgroundJobs)));
      const result = await viaIndex.execute(new SearchMemoriesQuery(TENANT, request()));
      expect(result.strategy).toEqual({ vector: 'index', estimatedMatches: 51 });
      expect(result.items).toHaveLength(K);
      expect(result.items.every((i) => filtered.has(i.memory.id))).toBe(true);
      const scores = result.items.map((i) => i.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      const truth = new Set(bruteForce());
      const recall = ids(result).filter((id) => truth.has(id)).length / K;
      expect(recall).toBeGreaterThanOrEqual(0.9);
      // The statement the index path ran is served by the model's HNSW index.
      const sql = vectorSearchSql({ tenantId: TENANT, filters: { namespace: 'recall.rare' }, model: MODEL, dimensions: DIMS, vector: query, limit: K, strategy: 'index' });
      const plan = await pool.run((c) => c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, sql.params));
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using memories_vec_/);
    });

    it('an unfiltered search over a large enough tenant uses the index', async () => {
      const lowThreshold = { get: (key: string) => (key === 'MEMORY_EXACT_SCAN_MAX_ROWS' ? 50 : config.get(key as never)) } as AppConfig;
      const reader = new MemorySearchReader(pool, lowThreshold);
      const first = await reader.vector({ tenantId: TENANT, filters: {}, model: MODEL, dimensions: DIMS, vector: query, limit: 10 });
      expect(first.strategy).toBe('index');
      expect(first.rows).toHaveLength(10);
      expect(first.rows.every((r) => r.embedding_model === MODEL)).toBe(true);
    });
  });
});
