import { SearchMemoriesQuery, MemorySearchRequest } from '@cognition/memory/contracts';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider, Embeddings } from '@cognition/memory/domain/embedding-provider.port';
import { MemorySearchAccessRecorder } from '@cognition/memory/infrastructure/memory-search-access.recorder';
import { MemorySearchReader, VectorSearch } from '@cognition/memory/infrastructure/memory-search.reader';
import { TextRow, VectorRow } from '@cognition/memory/infrastructure/memory-search.sql';
import { MemoryRow } from '@cognition/memory/infrastructure/memory-row.mapper';
import { candidatePoolSize, SearchMemoriesQueryHandler } from './search-memories.query-handler';

const TENANT = '00000000-0000-7000-8000-000000000001';
const created = new Date('2025-01-01T00:00:00Z');

function row(id: string, over: Partial<MemoryRow> = {}): MemoryRow {
  return {
    id,
    tenant_id: TENANT,
    user_id: null,
    agent_id: null,
    session_id: null,
    content: `memory ${id}`,
    memory_type: 'fact',
    scope: 'global',
    namespace: 'default',
    embedding_model: 'fake-3',
    status: 'active',
    importance: 'medium',
    metadata: {},
    tags: [],
    access_count: 0,
    last_accessed_at: null,
    expires_at: null,
    summary_of: [],
    created_at: created,
    updated_at: created,
    deleted_at: null,
    row_version: 1,
    ...over,
  };
}

class FakeProvider extends EmbeddingProvider {
  calls: string[][] = [];
  get model() {
    return 'fake-3';
  }
  get dimensions() {
    return 3;
  }
  async embed(texts: string[]): Promise<Embeddings> {
    this.calls.push(texts);
    return { model: 'fake-3', dimensions: 3, vectors: texts.map(() => [1, 0, 0]) };
  }
}

class FakeModels extends EmbeddingModels {
  lookups = 0;
  constructor(private readonly dims: Record<string, number>) {
    super();
  }
  async ensure(): Promise<void> {}
  async dimensionsOf(model: string) {
    this.lookups += 1;
    return this.dims[model] ?? null;
  }
  async ensureIvfflatIndexes() {
    return [];
  }
}

class FakeReader {
  vectorCalls: VectorSearch[] = [];
  textCalls: { query: string; limit: number }[] = [];
  constructor(
    private readonly vectorRows: VectorRow[],
    private readonly textRows: TextRow[],
  ) {}
  async vector(search: VectorSearch) {
    this.vectorCalls.push(search);
    return { rows: this.vectorRows.slice(0, search.limit), strategy: 'exact' as const, estimatedMatches: this.vectorRows.length };
  }
  async text(_tenant: string, _filters: unknown, query: string, limit: number) {
    this.textCalls.push({ query, limit });
    return this.textRows.slice(0, limit);
  }
}

class FakeAccesses {
  recorded: string[][] = [];
  record(ids: string[]) {
    this.recorded.push([...ids]);
  }
}

function setup(vectorRows: VectorRow[] = [], textRows: TextRow[] = [], dims: Record<string, number> = { 'fake-3': 3, 'other-2': 2 }) {
  const reader = new FakeReader(vectorRows, textRows);
  const provider = new FakeProvider();
  const models = new FakeModels(dims);
  const accesses = new FakeAccesses();
  const handler = new SearchMemoriesQueryHandler(reader as unknown as MemorySearchReader, provider, models, accesses as unknown as MemorySearchAccessRecorder);
  const search = (request: MemorySearchRequest) => handler.execute(new SearchMemoriesQuery(TENANT, request));
  return { reader, provider, models, accesses, search };
}

const v = (id: string, distance: number, over: Partial<MemoryRow> = {}): VectorRow => ({ ...row(id, over), distance });
const t = (id: string, rank: number, over: Partial<MemoryRow> = {}): TextRow => ({ ...row(id, over), rank });

describe('SearchMemoriesQueryHandler', () => {
  it('vector mode embeds the query with the provider and scores by cosine similarity', async () => {
    const { search, provider, reader, accesses } = setup([v('a', 0.1), v('b', 0.4)]);
    const result = await search({ query: 'hello', mode: 'vector', k: 2 });
    expect(provider.calls).toEqual([['hello']]);
    expect(reader.vectorCalls[0]).toMatchObject({ tenantId: TENANT, model: 'fake-3', dimensions: 3, vector: [1, 0, 0], limit: 2 });
    expect(reader.textCalls).toEqual([]);
    expect(result.items.map((i) => [i.memory.id, i.score])).toEqual([
      ['a', 0.9],
      ['b', 0.6],
    ]);
    expect(result.items[0].memory).toMatchObject({ id: 'a', content: 'memory a', createdAt: created.toISOString(), revision: 1 });
    expect(result.items[0].scores).toEqual({ vector: 0.9 });
    expect(result.strategy).toEqual({ vector: 'exact', estimatedMatches: 2 });
    expect(accesses.recorded).toEqual([['a', 'b']]);
  });

  it('uses a supplied embedding as is, and remembers the model’s dimensions', async () => {
    const { search, provider, reader, models } = setup([v('a', 0.5)]);
    await search({ embedding: [0, 1, 0], mode: 'vector' });
    await search({ embedding: [0, 0, 1], mode: 'vector', efSearch: 200 });
    expect(provider.calls).toEqual([]);
    expect(reader.vectorCalls.map((c) => c.vector)).toEqual([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(reader.vectorCalls[1].efSearch).toBe(200);
    expect(models.lookups).toBe(1);
  });

  it('answers 422 EMBEDDING_DIMENSION_MISMATCH naming both dimensions', async () => {
    const { search, reader } = setup([v('a', 0.5)]);
    await expect(search({ embedding: [1, 0], mode: 'vector' })).rejects.toMatchObject({
      code: 'EMBEDDING_DIMENSION_MISMATCH',
      message: expect.stringMatching(/2 dimensions.*fake-3 has 3/),
    });
    await expect(search({ embedding: [1, 0, 0], embeddingModel: 'other-2' })).rejects.toMatchObject({ code: 'EMBEDDING_DIMENSION_MISMATCH', message: expect.stringMatching(/3 dimensions.*other-2 has 2/) });
    expect(reader.vectorCalls).toEqual([]);
  });

  it('compares only with the requested model’s vectors; an unknown model has no vector hits', async () => {
    const { search, reader, provider } = setup([v('a', 0.5)], [t('x', 0.3)]);
    const other = await search({ embedding: [1, 0], embeddingModel: 'other-2', mode: 'vector' });
    expect(reader.vectorCalls[0]).toMatchObject({ model: 'other-2', dimensions: 2 });
    expect(other.items).toHaveLength(1);
    const unknown = await search({ embedding: [1, 0, 0, 0], embeddingModel: 'never-used', mode: 'vector' });
    expect(unknown).toEqual({ items: [], strategy: { vector: 'none' } });
    const hybrid = await search({ query: 'x', embedding: [1, 0, 0, 0], embeddingModel: 'never-used' });
    expect(hybrid.items.map((i) => i.memory.id)).toEqual(['x']);
    expect(hybrid.strategy).toEqual({ vector: 'none' });
    expect(provider.calls).toEqual([]);
  });

  it('does not embed the query for another model than the provider’s (422)', async () => {
    const { search } = setup();
    await expect(search({ query: 'hello', embeddingModel: 'other-2' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'embeddingModel' })] });
  });

  it('text mode runs only the full-text part and scores by ts_rank', async () => {
    const { search, reader, provider } = setup([v('a', 0.1)], [t('x', 0.7), t('y', 0.2)]);
    const result = await search({ query: 'hello', mode: 'text' });
    expect(reader.vectorCalls).toEqual([]);
    expect(provider.calls).toEqual([]);
    expect(result.items.map((i) => [i.memory.id, i.score, i.scores])).toEqual([
      ['x', 0.7, { text: 0.7 }],
      ['y', 0.2, { text: 0.2 }],
    ]);
    expect(result.strategy).toEqual({ vector: 'none' });
  });

  it('hybrid fuses max(4k, 40) candidates of each side by reciprocal rank', async () => {
    const { search, reader } = setup([v('a', 0.1), v('both', 0.2)], [t('both', 0.9), t('x', 0.5)]);
    const result = await search({ query: 'hello', k: 3 });
    expect(reader.vectorCalls[0].limit).toBe(40);
    expect(reader.textCalls[0].limit).toBe(40);
    expect(result.items.map((i) => i.memory.id)).toEqual(['both', 'a', 'x']);
    expect(result.items[0].scores).toEqual({ vector: 0.8, text: 0.9 });
    expect(result.items[0].score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(candidatePoolSize({ k: 20, mode: 'hybrid', rerank: null })).toBe(80);
    expect(candidatePoolSize({ k: 20, mode: 'vector', rerank: null })).toBe(20);
    expect(candidatePoolSize({ k: 5, mode: 'vector', rerank: { similarity: 1, recency: 0, accessFrequency: 0, importance: 0 } })).toBe(40);
  });

  it('filters by minScore and re-ranks by relevance when asked', async () => {
    const rows = [v('close', 0.1), v('important', 0.3, { importance: 'critical', access_count: 40 }), v('far', 0.9)];
    const { search } = setup(rows);
    const plain = await search({ embedding: [1, 0, 0], mode: 'vector', minScore: 0.5 });
    expect(plain.items.map((i) => i.memory.id)).toEqual(['close', 'important']);
    const reranked = await search({ embedding: [1, 0, 0], mode: 'vector', rerank: { similarity: 0.3, importance: 0.4, accessFrequency: 0.3, recency: 0 } });
    expect(reranked.items.map((i) => i.memory.id)).toEqual(['important', 'close', 'far']);
    expect(reranked.items[0].scores.relevance).toBe(reranked.items[0].score);
    expect(reranked.items[0].scores.vector).toBeCloseTo(0.7, 12);
  });

  it('records no access when nothing is returned', async () => {
    const { search, accesses } = setup([], []);
    await search({ query: 'nothing' });
    expect(accesses.recorded).toEqual([]);
  });

  describe('request rules (422, every problem listed)', () => {
    const problems = async (request: unknown) => {
      const { search } = setup();
      try {
        await search(request as MemorySearchRequest);
      } catch (error) {
        return error as { code: string; errors: { path: string }[] };
      }
      throw new Error('expected a 422');
    };

    it('needs a query or an embedding, and a query in text mode', async () => {
      expect(await problems({})).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'query' }] });
      expect(await problems({ embedding: [1, 0, 0], mode: 'text' })).toMatchObject({ errors: [{ path: 'query', message: 'is required in text mode' }] });
    });

    it('checks k, mode, efSearch, minScore, the embedding and the rerank weights', async () => {
      const error = await problems({ query: 'q', k: 0, mode: 'fuzzy', efSearch: 1001, minScore: 'high', embedding: [0, 0], rerank: { similarity: -1 } });
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.errors.map((e) => e.path).sort()).toEqual(['efSearch', 'embedding', 'k', 'minScore', 'mode', 'rerank']);
      expect((await problems({ query: 'q', k: 101 })).errors[0]).toMatchObject({ path: 'k', message: expect.stringContaining('got 101') });
      expect((await problems({ query: 'q', rerank: { speed: 1 } })).errors[0].path).toBe('rerank.speed');
      expect((await problems({ query: 'q', rerank: { similarity: 0, recency: 0, accessFrequency: 0, importance: 0 } })).errors[0].path).toBe('rerank');
    });

    it('checks the filters', async () => {
      const error = await problems({
        query: 'q',
        filters: { namespace: 'acme-support', scope: 'team', memoryType: ['fact', 'nope'], createdAfter: 'yesterday', minImportance: 'huge', tags: { some: ['x'] }, colour: 'red' },
      });
      expect(error.errors.map((e) => e.path).sort()).toEqual(
        ['filters.colour', 'filters.createdAfter', 'filters.memoryType', 'filters.minImportance', 'filters.namespace', 'filters.scope', 'filters.tags'].sort(),
      );
    });
  });
});
