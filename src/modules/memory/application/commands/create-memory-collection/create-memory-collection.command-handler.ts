import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@cognition/platform/ids/uuid';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CreateMemoryCollectionCommand, type MemoryCollectionView } from '@cognition/memory/contracts';
import { MemoryCollection } from '@cognition/memory/domain/collections/memory-collection.aggregate';
import { MemoryCollectionRepository } from '@cognition/memory/domain/collections/memory-collection.repository.port';

@CommandHandler(CreateMemoryCollectionCommand)
export class CreateMemoryCollectionCommandHandler implements ICommandHandler<CreateMemoryCollectionCommand, MemoryCollectionView> {
  constructor(private readonly collections: MemoryCollectionRepository) {}

  @Transactional()
  async execute({ tenantId, input }: CreateMemoryCollectionCommand): Promise<MemoryCollectionView> {
    const collection = MemoryCollection.create(newId(), tenantId, input);
    const s = collection.toSnapshot();
    await this.collections.insert(collection);
    return { id: s.id, name: s.name, description: s.description, memoryCount: 0, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() };
  }
}
