import { Command } from '@nestjs/cqrs';
import type { MemoryCollectionView } from './memory.types';

export interface MemoryCollectionInput {
  /** 1–200 characters, unique per tenant. */
  name: string;
  description?: string | null;
}

/** A named group of memories; the name is unique per tenant (409 MEMORY_COLLECTION_EXISTS). */
export class CreateMemoryCollectionCommand extends Command<MemoryCollectionView> {
  constructor(
    readonly tenantId: string,
    readonly input: MemoryCollectionInput,
  ) {
    super();
  }
}

/** Deletes the collection and its membership rows; the memories stay. */
export class DeleteMemoryCollectionCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly collectionId: string,
  ) {
    super();
  }
}

/**
 * Idempotent: adding a member twice changes nothing (`added: false`). The memory must exist in the
 * tenant and be neither deleted nor expired, else 404 MEMORY_NOT_FOUND.
 */
export class AddMemoryToCollectionCommand extends Command<{ added: boolean }> {
  constructor(
    readonly tenantId: string,
    readonly collectionId: string,
    readonly memoryId: string,
  ) {
    super();
  }
}

/** 404 MEMORY_NOT_FOUND when the memory is not in the collection. */
export class RemoveMemoryFromCollectionCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly collectionId: string,
    readonly memoryId: string,
  ) {
    super();
  }
}
