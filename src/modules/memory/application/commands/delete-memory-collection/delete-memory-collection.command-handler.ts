import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { DeleteMemoryCollectionCommand } from '@cognition/memory/contracts';
import { loadMemoryCollection, MemoryCollectionRepository } from '@cognition/memory/domain/collections/memory-collection.repository.port';

/** Deletes the collection and its membership; the memories stay. */
@CommandHandler(DeleteMemoryCollectionCommand)
export class DeleteMemoryCollectionCommandHandler implements ICommandHandler<DeleteMemoryCollectionCommand, void> {
  constructor(private readonly collections: MemoryCollectionRepository) {}

  @Transactional()
  async execute({ tenantId, collectionId }: DeleteMemoryCollectionCommand): Promise<void> {
    const collection = await loadMemoryCollection(this.collections, tenantId, collectionId);
    collection.delete();
    await this.collections.delete(collection);
  }
}
