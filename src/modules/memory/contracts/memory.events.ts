import { DomainEvent } from '@cognition/platform/domain';

abstract class MemoryEvent<P extends object> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'Memory';
  }
}

abstract class CollectionEvent<P extends object> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'MemoryCollection';
  }
}

abstract class PolicyEvent<P extends object> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'MemoryPolicy';
  }
}

type MemoryPayload = { memoryId: string; namespace: string };

export class MemoryCreated extends MemoryEvent<MemoryPayload & { memoryType: string; scope: string; importance: string; embeddingModel: string | null }> {}
export class MemoryContentUpdated extends MemoryEvent<MemoryPayload & { revision: number }> {}
export class MemoryEmbeddingGenerated extends MemoryEvent<MemoryPayload & { embeddingModel: string; dimensions: number }> {}
export class MemoryImportanceChanged extends MemoryEvent<MemoryPayload & { from: string; to: string }> {}
export class MemoryCompressed extends MemoryEvent<MemoryPayload & { summaryId: string }> {}
export class MemoryArchived extends MemoryEvent<MemoryPayload & { reason: string }> {}
export class MemoryDeleted extends MemoryEvent<MemoryPayload & { reason: string; purged: boolean }> {}
export class DuplicateMemoriesDetected extends MemoryEvent<MemoryPayload & { duplicateIds: string[]; similarity: number }> {}
export class MemoriesMerged extends MemoryEvent<MemoryPayload & { summaryOf: string[]; method: 'model' | 'extractive' }> {}
export class MemoryCollectionCreated extends CollectionEvent<{ collectionId: string; name: string }> {}
export class MemoryAddedToCollection extends CollectionEvent<{ collectionId: string; memoryId: string }> {}
export class MemoryRemovedFromCollection extends CollectionEvent<{ collectionId: string; memoryId: string; reason: string }> {}
export class LifecyclePolicyCreated extends PolicyEvent<{ policyId: string; name: string; namespace: string }> {}
export class LifecyclePolicyApplied extends PolicyEvent<{ policyId: string; compressed: number; archived: number; deleted: number; evicted: number; expired: number }> {}
export class MemoryCollectionDeleted extends CollectionEvent<{ collectionId: string; name: string }> {}
export class LifecyclePolicyUpdated extends PolicyEvent<{ policyId: string; name: string; namespace: string }> {}
export class LifecyclePolicyDeleted extends PolicyEvent<{ policyId: string; name: string }> {}

export const MEMORY_EVENTS = [
  MemoryCreated,
  MemoryContentUpdated,
  MemoryEmbeddingGenerated,
  MemoryImportanceChanged,
  MemoryCompressed,
  MemoryArchived,
  MemoryDeleted,
  DuplicateMemoriesDetected,
  MemoriesMerged,
  MemoryCollectionCreated,
  MemoryAddedToCollection,
  MemoryRemovedFromCollection,
  LifecyclePolicyCreated,
  LifecyclePolicyApplied,
  MemoryCollectionDeleted,
  LifecyclePolicyUpdated,
  LifecyclePolicyDeleted,
];
