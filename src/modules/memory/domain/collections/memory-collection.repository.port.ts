import { DomainError } from '@cognition/platform/domain';
import type { MemoryCollection } from './memory-collection.aggregate';

/** Collections and their membership; the adapter runs in the caller's transaction and writes the events. */
export abstract class MemoryCollectionRepository {
  /** A duplicate name in the tenant is DomainError MEMORY_COLLECTION_EXISTS. */
  abstract insert(collection: MemoryCollection): Promise<void>;
  abstract findById(tenantId: string, collectionId: string): Promise<MemoryCollection | null>;
  /** Deletes the collection and its membership rows (the memories stay). */
  abstract delete(collection: MemoryCollection): Promise<void>;
  /**
   * True when the memory exists in the tenant, neither deleted nor expired. Holds a share lock on
   * its row until the transaction ends, so a concurrent delete waits and then removes the new member.
   */
  abstract lockLiveMemory(tenantId: string, memoryId: string): Promise<boolean>;
  /** Adds a member; false when it already was one. */
  abstract addMember(collection: MemoryCollection, memoryId: string): Promise<boolean>;
  /** Removes a member; false when it was not one. */
  abstract removeMember(collection: MemoryCollection, memoryId: string): Promise<boolean>;
  /** Writes the collection's recorded events (membership changes) to the outbox. */
  abstract saveEvents(collection: MemoryCollection): Promise<void>;
}

/** The collection, or DomainError MEMORY_COLLECTION_NOT_FOUND (also for another tenant's or a malformed id). */
export async function loadMemoryCollection(repo: MemoryCollectionRepository, tenantId: string, collectionId: string): Promise<MemoryCollection> {
  const collection = await repo.findById(tenantId, collectionId);
  if (!collection) throw new DomainError('MEMORY_COLLECTION_NOT_FOUND', `Memory collection ${collectionId} not found`);
  return collection;
}
