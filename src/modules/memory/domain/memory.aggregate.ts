import { AggregateRoot, DomainError } from '@cognition/platform/domain';
import {
  MemoryArchived,
  MemoryCompressed,
  MemoryContentUpdated,
  MemoryCreated,
  MemoryDeleted,
  MemoryEmbeddingGenerated,
  MemoryImportanceChanged,
} from '../contracts/memory.events';
import type { MemoryImportance, MemoryScope, MemoryStatus, MemoryType, MemoryView } from '../contracts/memory.types';
import type { SuppliedEmbedding } from './memory-fields';
import { type ValidMemoryPatch, type ValidNewMemory, validateMemoryPatch, validateNewMemory } from './memory-input';

export type { ValidMemoryPatch, ValidNewMemory };

/** Everything a memory holds (a stored row, field for field). */
export interface MemoryState {
  id: string;
  tenantId: string;
  content: string;
  memoryType: MemoryType;
  scope: MemoryScope;
  namespace: string;
  userId: string | null;
  agentId: string | null;
  sessionId: string | null;
  status: MemoryStatus;
  importance: MemoryImportance;
  metadata: Record<string, unknown>;
  tags: string[];
  embedding: number[] | null;
  embeddingModel: string | null;
  accessCount: number;
  lastAccessedAt: Date | null;
  expiresAt: Date | null;
  summaryOf: string[];
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** The stored row's `row_version` (0 before the first save). */
  revision: number;
}

export interface CreateMemoryOptions {
  id: string;
  now?: Date;
  /** The vector (the client's, or the provider's) and its model. */
  embedding: SuppliedEmbedding;
  /** Used when the input has no expiresAt (a lifecycle policy's TTL). */
  defaultExpiresAt?: Date | null;
  /** Ids of the memories a summary memory was merged from. */
  summaryOf?: string[];
}


/**
 * One long-term memory (SPEC section 6). Content changes keep the previous content as a revision
 * and need a new embedding; deletion is soft (status `deleted`) until the retention period ends.
 */
export class Memory extends AggregateRoot {
  /** Set by a content change: the content it replaced, for `memory_revisions`. */
  private replaced: { revision: number; content: string; embeddingModel: string | null } | null = null;
  private embeddingChanged = false;

  private constructor(private state: MemoryState) {
    super();
  }

  /** See validateNewMemory (memory-input.ts). */
  static readonly validate = validateNewMemory;
  /** See validateMemoryPatch (memory-input.ts). */
  static readonly validatePatch = validateMemoryPatch;

  /** A new memory with its vector; records MemoryCreated and MemoryEmbeddingGenerated. */
  static create(tenantId: string, input: ValidNewMemory, options: CreateMemoryOptions): Memory {
    const now = options.now ?? new Date();
    const memory = new Memory({
      id: options.id,
      tenantId,
      content: input.content,
      memoryType: input.memoryType,
      scope: input.scope,
      namespace: input.namespace,
      userId: input.userId,
      agentId: input.agentId,
      sessionId: input.sessionId,
      status: 'active',
      importance: input.importance,
      metadata: input.metadata,
      tags: input.tags,
      embedding: options.embedding.vector,
      embeddingModel: options.embedding.model,
      accessCount: 0,
      lastAccessedAt: null,
      expiresAt: input.expiresAt ?? options.defaultExpiresAt ?? null,
      summaryOf: options.summaryOf ?? [],
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      revision: 0,
    });
    memory.record(
      new MemoryCreated(
        tenantId,
        memory.id,
        { ...memory.eventBase(), memoryType: input.memoryType, scope: input.scope, importance: input.importance, embeddingModel: options.embedding.model },
        now,
      ),
    );
    memory.recordEmbedding(now);
    return memory;
  }

  /** Rebuilds a stored memory (no validation, no events). */
  static restore(state: MemoryState): Memory {
    return new Memory({ ...state });
  }

  get id(): string {
    return this.state.id;
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get content(): string {
    return this.state.content;
  }

  get namespace(): string {
    return this.state.namespace;
  }

  get status(): MemoryStatus {
    return this.state.status;
  }

  get importance(): MemoryImportance {
    return this.state.importance;
  }

  get embeddingModel(): string | null {
    return this.state.embeddingModel;
  }

  get revision(): number {
    return this.state.revision;
  }

  /** The content a content change replaced (the repository stores it in `memory_revisions`). */
  get replacedContent(): { revision: number; content: string; embeddingModel: string | null } | null {
    return this.replaced;
  }

  /** True when the vector changed since the memory was loaded (the repository then writes it). */
  get hasNewEmbedding(): boolean {
    return this.embeddingChanged;
  }

  /** True when the content changed and no new vector was set yet. */
  get needsEmbedding(): boolean {
    return this.replaced !== null && !this.embeddingChanged;
  }

  snapshot(): MemoryState {
    return { ...this.state, metadata: structuredClone(this.state.metadata), tags: [...this.state.tags], summaryOf: [...this.state.summaryOf] };
  }

  /**
   * Applies a validated patch. A content change keeps the previous content (see replacedContent)
   * and, unless the patch brings its own vector, leaves the memory needing a new embedding.
   * Returns whether anything changed.
   */
  applyPatch(patch: ValidMemoryPatch, now: Date = new Date()): boolean {
    this.assertNotDeleted();
    let changed = false;
    if (patch.content !== undefined) changed = this.changeContent(patch.content, now) || changed;
    if (patch.embedding) {
      this.setEmbedding(patch.embedding.vector, patch.embedding.model, now);
      changed = true;
    }
    if (patch.importance !== undefined) changed = this.changeImportance(patch.importance, now) || changed;
    if (patch.metadata !== undefined && JSON.stringify(patch.metadata) !== JSON.stringify(this.state.metadata)) {
      this.state.metadata = patch.metadata;
      changed = true;
    }
    if (patch.tags !== undefined && patch.tags.join('\u0000') !== this.state.tags.join('\u0000')) {
      this.state.tags = patch.tags;
      changed = true;
    }
    if (patch.expiresAt !== undefined && patch.expiresAt?.getTime() !== this.state.expiresAt?.getTime()) {
      this.state.expiresAt = patch.expiresAt;
      changed = true;
    }
    if (patch.namespace !== undefined && patch.namespace !== this.state.namespace) {
      this.state.namespace = patch.namespace;
      changed = true;
    }
    if (patch.status === 'archived') changed = this.archive('requested', now) || changed;
    if (patch.status === 'active') changed = this.reactivate() || changed;
    if (changed) this.state.updatedAt = now;
    return changed;
  }

  /** New content; the previous one is kept as a revision. Records MemoryContentUpdated. */
  changeContent(content: string, now: Date = new Date()): boolean {
    this.assertNotDeleted();
    if (content === this.state.content) return false;
    this.replaced ??= { revision: this.state.revision, content: this.state.content, embeddingModel: this.state.embeddingModel };
    this.state.content = content;
    this.state.updatedAt = now;
    this.record(new MemoryContentUpdated(this.tenantId, this.id, { ...this.eventBase(), revision: this.state.revision + 1 }, now));
    return true;
  }

  /** A new vector (after a content change, or supplied by the client). Records MemoryEmbeddingGenerated. */
  setEmbedding(vector: number[], model: string, now: Date = new Date()): void {
    this.assertNotDeleted();
    this.state.embedding = vector;
    this.state.embeddingModel = model;
    this.state.updatedAt = now;
    this.embeddingChanged = true;
    this.recordEmbedding(now);
  }

  changeImportance(importance: MemoryImportance, now: Date = new Date()): boolean {
    this.assertNotDeleted();
    if (importance === this.state.importance) return false;
    const from = this.state.importance;
    this.state.importance = importance;
    this.state.updatedAt = now;
    this.record(new MemoryImportanceChanged(this.tenantId, this.id, { ...this.eventBase(), from, to: importance }, now));
    return true;
  }

  /** active or compressed → archived (hidden from search unless asked for). Records MemoryArchived. */
  archive(reason: string, now: Date = new Date()): boolean {
    this.assertNotDeleted();
    if (this.state.status === 'archived') return false;
    this.state.status = 'archived';
    this.state.updatedAt = now;
    this.record(new MemoryArchived(this.tenantId, this.id, { ...this.eventBase(), reason }, now));
    return true;
  }

  /** archived → active. */
  reactivate(now: Date = new Date()): boolean {
    this.assertNotDeleted();
    if (this.state.status !== 'archived') return false;
    this.state.status = 'active';
    this.state.updatedAt = now;
    return true;
  }

  /** Merged into a summary memory: status compressed. Records MemoryCompressed. */
  compress(summaryId: string, now: Date = new Date()): void {
    this.assertNotDeleted();
    this.state.status = 'compressed';
    this.state.updatedAt = now;
    this.record(new MemoryCompressed(this.tenantId, this.id, { ...this.eventBase(), summaryId }, now));
  }

  /** Soft delete: status deleted until the purge after the retention period. Records MemoryDeleted. */
  softDelete(reason: string, now: Date = new Date()): void {
    this.assertNotDeleted();
    this.state.status = 'deleted';
    this.state.deletedAt = now;
    this.state.updatedAt = now;
    this.record(new MemoryDeleted(this.tenantId, this.id, { ...this.eventBase(), reason, purged: false }, now));
  }

  /** Called by the repository after a successful write with the stored revision. */
  markPersisted(revision: number): void {
    this.state.revision = revision;
    this.replaced = null;
    this.embeddingChanged = false;
  }

  toView(includeEmbedding = false): MemoryView {
    return memoryView(this.state, includeEmbedding);
  }

  private recordEmbedding(now: Date): void {
    const { embedding, embeddingModel } = this.state;
    if (!embedding || !embeddingModel) return;
    this.record(new MemoryEmbeddingGenerated(this.tenantId, this.id, { ...this.eventBase(), embeddingModel, dimensions: embedding.length }, now));
  }

  private eventBase(): { memoryId: string; namespace: string } {
    return { memoryId: this.state.id, namespace: this.state.namespace };
  }

  private assertNotDeleted(): void {
    if (this.state.status === 'deleted') throw new DomainError('MEMORY_NOT_FOUND', `Memory ${this.state.id} not found`);
  }
}

/** The API view of a memory's state. */
export function memoryView(s: MemoryState, includeEmbedding = false): MemoryView {
  const view: MemoryView = {
    id: s.id,
    content: s.content,
    memoryType: s.memoryType,
    scope: s.scope,
    namespace: s.namespace,
    userId: s.userId,
    agentId: s.agentId,
    sessionId: s.sessionId,
    status: s.status,
    importance: s.importance,
    metadata: s.metadata,
    tags: s.tags,
    embeddingModel: s.embeddingModel,
    accessCount: s.accessCount,
    lastAccessedAt: s.lastAccessedAt ? s.lastAccessedAt.toISOString() : null,
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
    summaryOf: s.summaryOf,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    revision: s.revision,
  };
  if (includeEmbedding) view.embedding = s.embedding;
  return view;
}
