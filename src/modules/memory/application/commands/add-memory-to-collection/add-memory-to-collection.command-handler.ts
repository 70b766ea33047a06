import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { AddMemoryToCollectionCommand } from '@cognition/memory/contracts';
import { loadMemoryCollection, MemoryCollectionRepository } from '@cognition/memory/domain/collections/memory-collection.repository.port';

/**
 * Idempotent add. The memory's row is share-locked while the member is added, so a concurrent soft
 * delete (which takes the memory out of every collection) runs entirely before or after: membership
 * never outlives a deleted memory.
 */
@CommandHandler(AddMemoryToCollectionCommand)
export class AddMemoryToCollectionCommandHandler implements ICommandHandler<AddMemoryToCollectionCommand, { added: boolean }> {
  constructor(private readonly collections: MemoryCollectionRepository) {}

  @Transactional()
  async execute({ tenantId, collectionId, memoryId }: AddMemoryToCollectionCommand): Promise<{ added: boolean }> {
    const collection = await loadMemoryCollection(this.collections, tenantId, collectionId);
    if (!(await this.collections.lockLiveMemory(tenantId, memoryId))) throw new DomainError('MEMORY_NOT_FOUND', `Memory ${memoryId} not found`);
    const added = await this.collections.addMember(collection, memoryId);
    if (added) collection.memoryAdded(memoryId.toLowerCase());
    await this.collections.saveEvents(collection);
    return { added };
  }
}
