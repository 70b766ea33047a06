import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { type MemoryView, UpdateMemoryCommand } from '@cognition/memory/contracts';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider } from '@cognition/memory/domain/embedding-provider.port';
import { MemoryProblems } from '@cognition/memory/domain/memory-problems';
import { Memory } from '@cognition/memory/domain/memory.aggregate';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';
import { loadMemory } from '../../load-memory';

/**
 * A patch: a content change keeps the previous content as a revision and re-embeds (with the
 * provider, outside the transaction, unless the patch brings its own vector). The write checks the
 * revision it read: a concurrent change, or an If-Match that is not the current revision, is 409.
 */
@CommandHandler(UpdateMemoryCommand)
export class UpdateMemoryCommandHandler implements ICommandHandler<UpdateMemoryCommand, MemoryView> {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly models: EmbeddingModels,
    private readonly embeddings: EmbeddingProvider,
  ) {}

  async execute({ tenantId, memoryId, patch, expectedRevision }: UpdateMemoryCommand): Promise<MemoryView> {
    const problems = new MemoryProblems();
    const valid = Memory.validatePatch(patch, problems);
    problems.throwIfAny('patch');
    const memory = await loadMemory(this.memories, tenantId, memoryId);
    if (expectedRevision !== undefined && expectedRevision !== memory.revision) {
      throw new DomainError('CONCURRENT_MODIFICATION', `Memory ${memoryId} is at revision ${memory.revision}, not ${expectedRevision}; reload it and retry`);
    }
    if (!memory.applyPatch(valid!)) return memory.toView();
    if (memory.needsEmbedding) {
      const made = await this.embeddings.embed([memory.content]);
      memory.setEmbedding(made.vectors[0], made.model);
    }
    await this.persist(memory);
    return memory.toView();
  }

  @Transactional()
  private async persist(memory: Memory): Promise<void> {
    if (memory.hasNewEmbedding) {
      const { embedding, embeddingModel } = memory.snapshot();
      await this.models.ensure(embeddingModel!, embedding!.length);
    }
    await this.memories.update(memory);
  }
}
