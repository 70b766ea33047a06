import { ClsPluginTransactional, NoOpTransactionalAdapter } from '@nestjs-cls/transactional';
import { Test } from '@nestjs/testing';
import { ClsModule } from 'nestjs-cls';
import { CreateMemoriesCommand, DeleteMemoryCommand, UpdateMemoryCommand } from '@cognition/memory/contracts';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider } from '@cognition/memory/domain/embedding-provider.port';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';
import { InMemoryEmbeddingModels, InMemoryMemoryRepository, RecordingEmbeddingProvider } from '@cognition/test-support/fakes/in-memory-memory.fakes';
import { CreateMemoriesCommandHandler } from '../create-memories/create-memories.command-handler';
import { MemoryIdempotencyKeys } from '@cognition/memory/infrastructure/memory-idempotency-keys';
import { MemoryReadModel } from '@cognition/memory/infrastructure/memory-read-model';
import { VectorIndexer } from '@cognition/memory/application/indexing/vector-indexer';
import { DeleteMemoryCommandHandler } from '../delete-memory/delete-memory.command-handler';
import { UpdateMemoryCommandHandler } from './update-memory.command-handler';

const TENANT = '00000000-0000-7000-8000-000000000001';
const OTHER = '00000000-0000-7000-8000-000000000002';

async function setup() {
  const repo = new InMemoryMemoryRepository();
  const provider = new RecordingEmbeddingProvider();
  const moduleRef = await Test.createTestingModule({
    imports: [ClsModule.forRoot({ plugins: [new ClsPluginTransactional({ adapter: new NoOpTransactionalAdapter({ tx: {}, disableWarning: true }) })] })],
    providers: [
      CreateMemoriesCommandHandler,
      UpdateMemoryCommandHandler,
      DeleteMemoryCommandHandler,
      { provide: MemoryRepository, useValue: repo },
      { provide: EmbeddingModels, useValue: new InMemoryEmbeddingModels() },
      { provide: EmbeddingProvider, useValue: provider },
      // Creation without an Idempotency-Key never touches these.
      { provide: MemoryIdempotencyKeys, useValue: {} },
      { provide: MemoryReadModel, useValue: {} },
      { provide: VectorIndexer, useValue: { mayDefer: () => false, written: () => undefined } },
    ],
  }).compile();
  const [memory] = await moduleRef.get(CreateMemoriesCommandHandler).execute(new CreateMemoriesCommand(TENANT, [{ content: 'first', importance: 'low' }]));
  repo.published.length = 0;
  provider.calls.length = 0;
  return { update: moduleRef.get(UpdateMemoryCommandHandler), remove: moduleRef.get(DeleteMemoryCommandHandler), repo, provider, memory };
}

describe('UpdateMemoryCommandHandler', () => {
  it('keeps the previous content as a revision, re-embeds it and records the events that apply', async () => {
    const { update, repo, provider, memory } = await setup();
    const view = await update.execute(new UpdateMemoryCommand(TENANT, memory.id, { content: 'second', importance: 'high', status: 'archived' }, 1));
    expect(view).toMatchObject({ content: 'second', importance: 'high', status: 'archived', revision: 2 });
    expect(provider.calls).toEqual([['second']]);
    expect(repo.revisions).toEqual([{ memoryId: memory.id, revision: 1, content: 'first' }]);
    expect(repo.published.map((e) => e.type)).toEqual(['MemoryContentUpdated', 'MemoryImportanceChanged', 'MemoryArchived', 'MemoryEmbeddingGenerated']);
  });

  it('takes the client’s vector for new content instead of calling the provider', async () => {
    const { update, provider, memory } = await setup();
    const view = await update.execute(new UpdateMemoryCommand(TENANT, memory.id, { content: 'mine', embedding: [0, 1, 0], embeddingModel: 'fake-3' }));
    expect(view.content).toBe('mine');
    expect(provider.calls).toEqual([]);
  });

  it('changes nothing (and keeps the revision) when the patch changes nothing', async () => {
    const { update, repo, memory } = await setup();
    const view = await update.execute(new UpdateMemoryCommand(TENANT, memory.id, { content: 'first', importance: 'low' }));
    expect(view.revision).toBe(1);
    expect(repo.published).toEqual([]);
  });

  it('refuses a stale revision (409), an invalid patch (422), another tenant’s memory and a deleted one (404)', async () => {
    const { update, remove, memory } = await setup();
    await expect(update.execute(new UpdateMemoryCommand(TENANT, memory.id, { importance: 'high' }, 7))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    const invalid = await update.execute(new UpdateMemoryCommand(TENANT, memory.id, { content: '', namespace: 'a..b', status: 'deleted' } as never)).catch((e) => e);
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(invalid.errors.map((e: { path: string }) => e.path)).toEqual(['content', 'namespace', 'status']);
    await expect(update.execute(new UpdateMemoryCommand(OTHER, memory.id, { importance: 'high' }))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await remove.execute(new DeleteMemoryCommand(TENANT, memory.id));
    await expect(update.execute(new UpdateMemoryCommand(TENANT, memory.id, { importance: 'high' }))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(remove.execute(new DeleteMemoryCommand(TENANT, memory.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
  });
});
