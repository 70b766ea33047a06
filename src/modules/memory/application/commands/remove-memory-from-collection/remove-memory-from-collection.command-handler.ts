import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { RemoveMemoryFromCollectionCommand } from '@cognition/memory/contracts';
import { loadMemoryCollection, MemoryCollectionRepository } from '@cognition/memory/domain/collections/memory-collection.repository.port';

@CommandHandler(RemoveMemoryFromCollectionCommand)
export class RemoveMemoryFromCollectionCommandHandler implements ICommandHandler<RemoveMemoryFromCollectionCommand, void> {
  constructor(private readonly collections: MemoryCollectionRepository) {}

  @Transactional()
  async execute({ tenantId, collectionId, memoryId }: RemoveMemoryFromCollectionCommand): Promise<void> {
    const collection = await loadMemoryCollection(this.collections, tenantId, collectionId);
    if (!(await this.collections.removeMember(collection, memoryId))) throw new DomainError('MEMORY_NOT_FOUND', `Memory ${memoryId} is not in collection ${collection.id}`);
    collection.memoryRemoved(memoryId.toLowerCase(), 'removed by request');
    await this.collections.saveEvents(collection);
  }
}
