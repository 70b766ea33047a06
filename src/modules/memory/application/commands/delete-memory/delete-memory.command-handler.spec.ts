import { ClsPluginTransactional, NoOpTransactionalAdapter } from '@nestjs-cls/transactional';
import { Test } from '@nestjs/testing';
import { ClsModule } from 'nestjs-cls';
import { DeleteMemoryCommand } from '@cognition/memory/contracts';
import { MemoryProblems } from '@cognition/memory/domain/memory-problems';
import { Memory } from '@cognition/memory/domain/memory.aggregate';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';
import { InMemoryMemoryRepository } from '@cognition/test-support/fakes/in-memory-memory.fakes';
import { DeleteMemoryCommandHandler } from './delete-memory.command-handler';

const TENANT = '00000000-0000-7000-8000-000000000001';

describe('DeleteMemoryCommandHandler', () => {
  it('soft-deletes (status deleted, deletedAt) with MemoryDeleted {purged: false}; another tenant or a malformed id is not found', async () => {
    const repo = new InMemoryMemoryRepository();
    const moduleRef = await Test.createTestingModule({
      imports: [ClsModule.forRoot({ plugins: [new ClsPluginTransactional({ adapter: new NoOpTransactionalAdapter({ tx: {}, disableWarning: true }) })] })],
      providers: [DeleteMemoryCommandHandler, { provide: MemoryRepository, useValue: repo }],
    }).compile();
    const handler = moduleRef.get(DeleteMemoryCommandHandler);
    const input = Memory.validate({ content: 'bye' }, '', new MemoryProblems())!;
    const memory = Memory.create(TENANT, input, { id: '01900000-0000-7000-8000-000000000001', embedding: { vector: [1], model: 'm' } });
    await repo.insertMany([memory]);
    repo.published.length = 0;

    await expect(handler.execute(new DeleteMemoryCommand('00000000-0000-7000-8000-000000000009', memory.id))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(handler.execute(new DeleteMemoryCommand(TENANT, 'nope'))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await handler.execute(new DeleteMemoryCommand(TENANT, memory.id));
    const stored = repo.rows.get(memory.id)!.snapshot();
    expect(stored.status).toBe('deleted');
    expect(stored.deletedAt).toBeInstanceOf(Date);
    expect(repo.published.map((e) => [e.type, e.payload])).toEqual([['MemoryDeleted', { memoryId: memory.id, namespace: 'default', reason: 'requested', purged: false }]]);
  });
});
