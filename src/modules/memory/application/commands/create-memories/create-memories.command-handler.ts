import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { CreateMemoriesCommand, type MemoryView } from '@cognition/memory/contracts';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider } from '@cognition/memory/domain/embedding-provider.port';
import type { SuppliedEmbedding } from '@cognition/memory/domain/memory-fields';
import { MemoryProblems } from '@cognition/memory/domain/memory-problems';
import { Memory, type ValidNewMemory } from '@cognition/memory/domain/memory.aggregate';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';
import { MemoryIdempotencyKeys } from '@cognition/memory/infrastructure/memory-idempotency-keys';
import { MemoryReadModel } from '@cognition/memory/infrastructure/memory-read-model';
import { VectorIndexer } from '@cognition/memory/application/indexing/vector-indexer';

export const MAX_MEMORIES_PER_BATCH = 1000;
const DAY_MS = 86_400_000;

/**
 * 1–1,000 memories: all validated first (one 422 listing every problem), then ONE embedding call
 * for those without a vector (before the transaction: a remote provider must not hold a database
 * connection), then one transaction: models registered, TTL defaults from lifecycle policies, one
 * INSERT for the rows and one for their events. A small write leaves its HNSW inserts to the vector
 * indexer (woken after the commit), so its latency does not grow with the index.
 */
@CommandHandler(CreateMemoriesCommand)
export class CreateMemoriesCommandHandler implements ICommandHandler<CreateMemoriesCommand, MemoryView[]> {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly models: EmbeddingModels,
    private readonly embeddings: EmbeddingProvider,
    private readonly keys: MemoryIdempotencyKeys,
    private readonly reads: MemoryReadModel,
    private readonly indexer: VectorIndexer,
  ) {}

  async execute({ tenantId, memories, single, idempotencyKey }: CreateMemoriesCommand): Promise<MemoryView[]> {
    const problems = new MemoryProblems();
    if (!Array.isArray(memories) || memories.length === 0 || memories.length > MAX_MEMORIES_PER_BATCH) {
      const count = Array.isArray(memories) ? memories.length : 0;
      problems.add('items', 'OUT_OF_RANGE', `must hold 1–${MAX_MEMORIES_PER_BATCH} memories, got ${count}`);
      problems.throwIfAny('batch');
    }
    const prefix = (i: number) => (single ? '' : `items[${i}]`);
    const inputs = memories.map((m, i) => Memory.validate(m, prefix(i), problems));
    problems.throwIfAny(single ? 'memory' : 'batch');
    const valid = inputs as ValidNewMemory[];
    const vectors = await this.embedMissing(valid);
    const key = idempotencyKey ? { key: idempotencyKey, hash: MemoryIdempotencyKeys.hash(memories) } : null;
    const deferIndex = this.indexer.mayDefer(valid.length);
    const views = await this.persist(tenantId, valid, vectors, prefix, key, deferIndex);
    if (deferIndex) this.indexer.written();
    return views;
  }

  /** The client's vectors, and the provider's for the rest, in one call. */
  private async embedMissing(inputs: ValidNewMemory[]): Promise<SuppliedEmbedding[]> {
    const missing = inputs.flatMap((input, i) => (input.embedding ? [] : [i]));
    const result = inputs.map((input) => input.embedding) as SuppliedEmbedding[];
    if (missing.length === 0) return result;
    const made = await this.embeddings.embed(missing.map((i) => inputs[i].content));
    if (made.vectors.length !== missing.length) {
      throw new DomainError('EMBEDDING_PROVIDER_ERROR', `The embedding provider returned ${made.vectors.length} vectors for ${missing.length} texts`);
    }
    missing.forEach((i, k) => (result[i] = { vector: made.vectors[k], model: made.model }));
    return result;
  }

  @Transactional()
  private async persist(
    tenantId: string,
    inputs: ValidNewMemory[],
    vectors: SuppliedEmbedding[],
    prefix: (i: number) => string,
    idempotency: { key: string; hash: string } | null,
    deferIndex: boolean,
  ): Promise<MemoryView[]> {
    const earlier = idempotency ? await this.keys.claim(tenantId, idempotency.key, idempotency.hash) : null;
    if (earlier) return this.earlierViews(tenantId, earlier);
    await this.ensureModels(vectors, prefix);
    const ttl = await this.memories.defaultTtlDays(
      tenantId,
      inputs.filter((input) => !input.expiresAt).map((input) => input.namespace),
    );
    const now = new Date();
    const created = inputs.map((input, i) => {
      const days = ttl.get(input.namespace);
      return Memory.create(tenantId, input, { id: newId(), now, embedding: vectors[i], defaultExpiresAt: days === undefined ? null : new Date(now.getTime() + days * DAY_MS) });
    });
    await this.memories.insertMany(created, { deferIndex });
    if (idempotency) await this.keys.complete(tenantId, idempotency.key, created.map((m) => m.id));
    return created.map((memory) => memory.toView());
  }

  /** The memories a first request with the same key created, as they are now (deleted ones left out). */
  private async earlierViews(tenantId: string, ids: string[]): Promise<MemoryView[]> {
    const views = await Promise.all(ids.map((id) => this.reads.get(tenantId, id)));
    return views.filter((view): view is MemoryView => view !== null);
  }

  /** Registers each (model, dimensions) once, before any row is written; a mismatch names the item. */
  private async ensureModels(vectors: SuppliedEmbedding[], prefix: (i: number) => string): Promise<void> {
    const seen = new Set<string>();
    for (const [i, { model, vector }] of vectors.entries()) {
      const key = `${vector.length}:${model}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        await this.models.ensure(model, vector.length);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'EMBEDDING_DIMENSION_MISMATCH') throw error;
        const path = prefix(i) ? `${prefix(i)}.embedding` : 'embedding';
        throw new DomainError(error.code, error.message, (error.errors ?? []).map((e) => ({ ...e, path })));
      }
    }
  }
}
