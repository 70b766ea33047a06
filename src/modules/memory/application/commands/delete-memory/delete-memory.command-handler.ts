import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { DeleteMemoryCommand } from '@cognition/memory/contracts';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';
import { loadMemory } from '../../load-memory';

/** Soft delete (status deleted, purged after MEMORY_RETENTION_DAYS) and out of every collection, in one transaction. */
@CommandHandler(DeleteMemoryCommand)
export class DeleteMemoryCommandHandler implements ICommandHandler<DeleteMemoryCommand, void> {
  constructor(private readonly memories: MemoryRepository) {}

  @Transactional()
  async execute({ tenantId, memoryId }: DeleteMemoryCommand): Promise<void> {
    const memory = await loadMemory(this.memories, tenantId, memoryId);
    memory.softDelete('requested');
    await this.memories.delete(memory, 'memory deleted');
  }
}
