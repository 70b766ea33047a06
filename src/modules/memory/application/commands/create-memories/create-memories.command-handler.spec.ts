import { ClsPluginTransactional, NoOpTransactionalAdapter } from '@nestjs-cls/transactional';
import { Test } from '@nestjs/testing';
import { ClsModule } from 'nestjs-cls';
import { DomainError } from '@cognition/platform/domain';
import { CreateMemoriesCommand } from '@cognition/memory/contracts';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider } from '@cognition/memory/domain/embedding-provider.port';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';
import { InMemoryEmbeddingModels, InMemoryMemoryRepository, RecordingEmbeddingProvider } from '@cognition/test-support/fakes/in-memory-memory.fakes';
import { CreateMemoriesCommandHandler } from './create-memories.command-handler';
import { MemoryIdempotencyKeys } from '@cognition/memory/infrastructure/memory-idempotency-keys';
import { MemoryReadModel } from '@cognition/memory/infrastructure/memory-read-model';
import { VectorIndexer } from '@cognition/memory/application/indexing/vector-indexer';

const TENANT = '00000000-0000-7000-8000-000000000001';

async function setup() {
  const repo = new InMemoryMemoryRepository();
  const models = new InMemoryEmbeddingModels();
  const provider = new RecordingEmbeddingProvider();
  const claimed = new Map<string, { hash: string; ids: string[] }>();
  const keys = {
    claim: async (_tenant: string, key: string, hash: string) => {
      const earlier = claimed.get(key);
      if (!earlier) {
        claimed.set(key, { hash, ids: [] });
        return null;
      }
      if (earlier.hash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'reused');
      return earlier.ids;
    },
    complete: async (_tenant: string, key: string, ids: string[]) => void (claimed.get(key)!.ids = ids),
  };
  // Defers writes of at most 2 memories; records when it is woken and how many rows were stored by then.
  const indexer = {
    wakes: [] as number[],
    mayDefer: (count: number) => count <= 2,
    written: () => void indexer.wakes.push(repo.rows.size),
  };
  const moduleRef = await Test.createTestingModule({
    imports: [ClsModule.forRoot({ plugins: [new ClsPluginTransactional({ adapter: new NoOpTransactionalAdapter({ tx: {}, disableWarning: true }) })] })],
    providers: [
      CreateMemoriesCommandHandler,
      { provide: MemoryRepository, useValue: repo },
      { provide: EmbeddingModels, useValue: models },
      { provide: EmbeddingProvider, useValue: provider },
      { provide: MemoryIdempotencyKeys, useValue: keys },
      { provide: MemoryReadModel, useValue: { get: async (_tenant: string, id: string) => repo.rows.get(id)?.toView() ?? null } },
      { provide: VectorIndexer, useValue: indexer },
    ],
  }).compile();
  return { handler: moduleRef.get(CreateMemoriesCommandHandler), repo, models, provider, indexer };
}

describe('CreateMemoriesCommandHandler', () => {
  it('applies the defaults, embeds every item without a vector in ONE call and inserts once', async () => {
    const { handler, repo, models, provider } = await setup();
    const views = await handler.execute(
      new CreateMemoriesCommand(TENANT, [
        { content: 'alpha' },
        { content: 'own vector', embedding: [1, 0], embeddingModel: 'client-2' },
        { content: 'omega', namespace: 'a.b', importance: 'critical' },
      ]),
    );
    expect(provider.calls).toEqual([['alpha', 'omega']]);
    expect(repo.insertCalls).toBe(1);
    expect(views.map((v) => [v.embeddingModel, v.memoryType, v.scope, v.namespace, v.importance, v.revision])).toEqual([
      ['fake-3', 'fact', 'global', 'default', 'medium', 1],
      ['client-2', 'fact', 'global', 'default', 'medium', 1],
      ['fake-3', 'fact', 'global', 'a.b', 'critical', 1],
    ]);
    expect([...models.models]).toEqual([
      ['fake-3', 3],
      ['client-2', 2],
    ]);
    expect(repo.published.map((e) => e.type)).toEqual(Array(3).fill(['MemoryCreated', 'MemoryEmbeddingGenerated']).flat());
  });

  it('does not call the provider when every item brings its vector', async () => {
    const { handler, provider } = await setup();
    await handler.execute(new CreateMemoriesCommand(TENANT, [{ content: 'x', embedding: [0, 1], embeddingModel: 'm' }]));
    expect(provider.calls).toEqual([]);
  });

  it('lists every problem of every item with batch paths, and writes nothing', async () => {
    const { handler, repo, provider } = await setup();
    const error = await handler
      .execute(
        new CreateMemoriesCommand(TENANT, [
          { content: 'fine' },
          { content: '', namespace: 'has-hyphen' } as never,
          { content: 'x', scope: 'user' },
          { content: 'y', memoryType: 'opinion', tags: ['a', 'a'] } as never,
        ]),
      )
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(error.errors.map((e: { path: string }) => e.path)).toEqual(['items[1].content', 'items[1].namespace', 'items[2].userId', 'items[3].memoryType', 'items[3].tags[1]']);
    expect(provider.calls).toEqual([]);
    expect(repo.insertCalls).toBe(0);
  });

  it('uses unprefixed paths for a single memory; a vector without its model is EMBEDDING_MODEL_REQUIRED', async () => {
    const { handler } = await setup();
    await expect(handler.execute(new CreateMemoriesCommand(TENANT, [{ content: 'v', embedding: [1, 2] }], null, true))).rejects.toMatchObject({
      code: 'EMBEDDING_MODEL_REQUIRED',
      errors: [{ path: 'embeddingModel', code: 'EMBEDDING_MODEL_REQUIRED', message: expect.any(String) }],
    });
  });

  it('refuses an empty batch and one over 1,000', async () => {
    const { handler } = await setup();
    await expect(handler.execute(new CreateMemoriesCommand(TENANT, []))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'items' })] });
    const tooMany = Array.from({ length: 1001 }, () => ({ content: 'x' }));
    await expect(handler.execute(new CreateMemoriesCommand(TENANT, tooMany))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('1–1000 memories, got 1001') });
  });

  it('names the item whose vector does not match its model’s dimensions', async () => {
    const { handler, repo } = await setup();
    const result = handler.execute(
      new CreateMemoriesCommand(TENANT, [
        { content: 'a', embedding: [1, 0], embeddingModel: 'm' },
        { content: 'b', embedding: [1, 0, 0], embeddingModel: 'm' },
      ]),
    );
    await expect(result).rejects.toMatchObject({ code: 'EMBEDDING_DIMENSION_MISMATCH', errors: [expect.objectContaining({ path: 'items[1].embedding' })] });
    expect(repo.insertCalls).toBe(0);
  });

  it('takes expiresAt from the namespace’s policy TTL when none is given', async () => {
    const { handler, repo } = await setup();
    repo.ttl.set('short', 2);
    const before = Date.now();
    const [a, b, c] = await handler.execute(
      new CreateMemoriesCommand(TENANT, [{ content: 'a', namespace: 'short' }, { content: 'b', namespace: 'short', expiresAt: '2030-01-01T00:00:00Z' }, { content: 'c' }]),
    );
    expect(Date.parse(a.expiresAt!) - before).toBeGreaterThanOrEqual(2 * 86_400_000 - 1000);
    expect(Date.parse(a.expiresAt!) - before).toBeLessThanOrEqual(2 * 86_400_000 + 1000);
    expect(b.expiresAt).toBe('2030-01-01T00:00:00.000Z');
    expect(c.expiresAt).toBeNull();
  });
  it('creates once per Idempotency-Key: a repeat with the same body returns the first memories, another body is refused', async () => {
    const { handler, repo } = await setup();
    const first = await handler.execute(new CreateMemoriesCommand('t1', [{ content: 'remember me' }], 'key-1'));
    const again = await handler.execute(new CreateMemoriesCommand('t1', [{ content: 'remember me' }], 'key-1'));
    expect(again.map((m) => m.id)).toEqual(first.map((m) => m.id));
    expect(repo.rows.size).toBe(1);
    await expect(handler.execute(new CreateMemoriesCommand('t1', [{ content: 'something else' }], 'key-1'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });
  it('leaves the index to the vector indexer for a small write and wakes it once the rows are stored; a large one indexes in the request', async () => {
    const { handler, repo, indexer } = await setup();
    await handler.execute(new CreateMemoriesCommand(TENANT, [{ content: 'one' }], null, true));
    expect(repo.deferred).toEqual([true]);
    expect(indexer.wakes).toEqual([1]);
    await handler.execute(new CreateMemoriesCommand(TENANT, [{ content: 'a' }, { content: 'b' }, { content: 'c' }]));
    expect(repo.deferred).toEqual([true, false]);
    expect(indexer.wakes).toEqual([1]);
  });

  it('does not wake the indexer when the write fails', async () => {
    const { handler, repo, indexer } = await setup();
    repo.insertMany = () => Promise.reject(new Error('connection lost'));
    await expect(handler.execute(new CreateMemoriesCommand(TENANT, [{ content: 'x' }], null, true))).rejects.toThrow('connection lost');
    expect(indexer.wakes).toEqual([]);
  });
});
