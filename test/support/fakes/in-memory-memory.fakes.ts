import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider, type Embeddings } from '@cognition/memory/domain/embedding-provider.port';
import { Memory } from '@cognition/memory/domain/memory.aggregate';
import { MemoryRepository } from '@cognition/memory/domain/memory.repository.port';

/**
 * In-memory fakes of the memory ports, for unit tests of the command handlers only (the real
 * adapters are tested against PostgreSQL and over HTTP).
 */
export class InMemoryMemoryRepository extends MemoryRepository {
  readonly rows = new Map<string, Memory>();
  readonly revisions: { memoryId: string; revision: number; content: string }[] = [];
  readonly published: DomainEvent[] = [];
  readonly ttl = new Map<string, number>();
  insertCalls = 0;
  /** The `deferIndex` of each insertMany call. */
  readonly deferred: boolean[] = [];

  async insertMany(memories: Memory[], options: { deferIndex?: boolean } = {}): Promise<void> {
    this.insertCalls++;
    this.deferred.push(options.deferIndex === true);
    for (const memory of memories) {
      memory.markPersisted(1);
      this.rows.set(memory.id, Memory.restore(memory.snapshot()));
      this.published.push(...memory.pullEvents());
    }
  }

  async findLive(tenantId: string, id: string): Promise<Memory | null> {
    const stored = this.rows.get(id);
    if (!stored) return null;
    const s = stored.snapshot();
    const expired = s.expiresAt !== null && s.expiresAt.getTime() <= Date.now();
    return s.tenantId === tenantId && s.status !== 'deleted' && !expired ? Memory.restore(s) : null;
  }

  async update(memory: Memory): Promise<void> {
    const stored = this.rows.get(memory.id);
    if (!stored || stored.revision !== memory.revision) throw new DomainError('CONCURRENT_MODIFICATION', 'changed by someone else');
    const replaced = memory.replacedContent;
    if (replaced) this.revisions.push({ memoryId: memory.id, revision: replaced.revision, content: replaced.content });
    memory.markPersisted(memory.revision + 1);
    this.rows.set(memory.id, Memory.restore(memory.snapshot()));
    this.published.push(...memory.pullEvents());
  }

  async delete(memory: Memory): Promise<void> {
    await this.update(memory);
  }

  async defaultTtlDays(_tenantId: string, namespaces: string[]): Promise<Map<string, number>> {
    return new Map(namespaces.filter((ns) => this.ttl.has(ns)).map((ns) => [ns, this.ttl.get(ns)!]));
  }
}

export class InMemoryEmbeddingModels extends EmbeddingModels {
  readonly models = new Map<string, number>();

  async ensure(model: string, dimensions: number): Promise<void> {
    const known = this.models.get(model);
    if (known === undefined) this.models.set(model, dimensions);
    else if (known !== dimensions) {
      throw new DomainError('EMBEDDING_DIMENSION_MISMATCH', `embedding has ${dimensions} dimensions; model "${model}" stores ${known}`, [{ path: 'embedding', message: 'mismatch' }]);
    }
  }

  async dimensionsOf(model: string): Promise<number | null> {
    return this.models.get(model) ?? null;
  }

  async ensureIvfflatIndexes(): Promise<string[]> {
    return [];
  }
}

/** A 3-dimensional "embedder" that records its calls: [length, vowels, 1]. */
export class RecordingEmbeddingProvider extends EmbeddingProvider {
  readonly calls: string[][] = [];

  get model(): string {
    return 'fake-3';
  }

  get dimensions(): number {
    return 3;
  }

  async embed(texts: string[]): Promise<Embeddings> {
    this.calls.push(texts);
    return { model: 'fake-3', dimensions: 3, vectors: texts.map((t) => [t.length, (t.match(/[aeiou]/g) ?? []).length, 1]) };
  }
}
