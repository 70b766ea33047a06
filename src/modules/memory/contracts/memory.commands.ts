import { Command } from '@nestjs/cqrs';
import type { MemoryImportance, MemoryView, NewMemory } from './memory.types';

/** Creates 1–1,000 memories in one transaction, with one embedding request for those without a vector. */
export class CreateMemoriesCommand extends Command<MemoryView[]> {
  constructor(
    readonly tenantId: string,
    readonly memories: NewMemory[],
    readonly idempotencyKey: string | null = null,
    /** One memory sent on its own: problem paths are `content`, not `items[0].content`. */
    readonly single = false,
  ) {
    super();
  }
}

export interface MemoryPatch {
  content?: string;
  importance?: MemoryImportance;
  metadata?: Record<string, unknown>;
  tags?: string[];
  expiresAt?: string | null;
  namespace?: string;
  status?: 'active' | 'archived';
  /** With a new content: the client's own vector (else the provider re-embeds). */
  embedding?: number[] | null;
  embeddingModel?: string | null;
}

/** A content change keeps the previous content as a revision and re-embeds. */
export class UpdateMemoryCommand extends Command<MemoryView> {
  constructor(
    readonly tenantId: string,
    readonly memoryId: string,
    readonly patch: MemoryPatch,
    readonly expectedRevision?: number,
  ) {
    super();
  }
}

/** Soft delete: status `deleted`, out of every collection; purged after the retention period. */
export class DeleteMemoryCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly memoryId: string,
  ) {
    super();
  }
}
