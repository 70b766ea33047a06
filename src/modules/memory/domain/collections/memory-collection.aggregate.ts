import { AggregateRoot } from '@cognition/platform/domain';
import type { MemoryCollectionInput } from '../../contracts/memory-collection.commands';
import { MemoryAddedToCollection, MemoryCollectionCreated, MemoryCollectionDeleted, MemoryRemovedFromCollection } from '../../contracts/memory.events';
import { describe } from '@cognition/platform/json-schema/json-values';
import { MemoryProblems } from '../memory-problems';

export const MAX_COLLECTION_NAME_LENGTH = 200;
export const MAX_COLLECTION_DESCRIPTION_LENGTH = 2000;

export interface MemoryCollectionSnapshot {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A named group of memories. Membership lives in `memory_collection_items` and is not loaded with
 * the collection: the aggregate records the membership events its repository's changes caused.
 */
export class MemoryCollection extends AggregateRoot {
  private constructor(private readonly state: MemoryCollectionSnapshot) {
    super();
  }

  static create(id: string, tenantId: string, input: MemoryCollectionInput, now: Date = new Date()): MemoryCollection {
    const problems = new MemoryProblems();
    const { name, description } = input as { name: unknown; description?: unknown };
    if (typeof name !== 'string') problems.add('name', name === undefined || name === null ? 'REQUIRED' : 'INVALID_TYPE', `is required: a string, got ${describe(name)}`);
    else if (name.trim() === '') problems.add('name', 'REQUIRED', 'must not be empty');
    else if (name.length > MAX_COLLECTION_NAME_LENGTH || /\p{Cc}/u.test(name)) problems.add('name', 'INVALID_FORMAT', `must be 1–${MAX_COLLECTION_NAME_LENGTH} printable characters`);
    if (description !== undefined && description !== null) {
      if (typeof description !== 'string') problems.add('description', 'INVALID_TYPE', `must be a string or null, got ${describe(description)}`);
      else if (description.length > MAX_COLLECTION_DESCRIPTION_LENGTH) problems.add('description', 'OUT_OF_RANGE', `must have at most ${MAX_COLLECTION_DESCRIPTION_LENGTH} characters`);
    }
    problems.throwIfAny('collection');
    const collection = new MemoryCollection({ id, tenantId, name: name as string, description: (description as string | null | undefined) ?? null, createdAt: now, updatedAt: now });
    collection.record(new MemoryCollectionCreated(tenantId, id, { collectionId: id, name: name as string }, now));
    return collection;
  }

  static restore(snapshot: MemoryCollectionSnapshot): MemoryCollection {
    return new MemoryCollection({ ...snapshot });
  }

  get id(): string {
    return this.state.id;
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  memoryAdded(memoryId: string, now: Date = new Date()): void {
    this.record(new MemoryAddedToCollection(this.tenantId, this.id, { collectionId: this.id, memoryId }, now));
  }

  memoryRemoved(memoryId: string, reason: string, now: Date = new Date()): void {
    this.record(new MemoryRemovedFromCollection(this.tenantId, this.id, { collectionId: this.id, memoryId, reason }, now));
  }

  delete(now: Date = new Date()): void {
    this.record(new MemoryCollectionDeleted(this.tenantId, this.id, { collectionId: this.id, name: this.state.name }, now));
  }

  toSnapshot(): MemoryCollectionSnapshot {
    return { ...this.state };
  }
}
