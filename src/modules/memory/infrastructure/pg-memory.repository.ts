import { Injectable } from '@nestjs/common';
import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import { newId, isUuid } from '@cognition/platform/ids/uuid';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { MemoryRemovedFromCollection } from '../contracts';
import { Memory } from '../domain/memory.aggregate';
import { MemoryRepository } from '../domain/memory.repository.port';
import { importanceRank } from './memory-filters.sql';
import { MEMORY_COLUMNS, MEMORY_EMBEDDING_COLUMN, type MemoryRow, memoryStateOf } from './memory-row.mapper';
import { DEFAULT_TTL_DAYS, INSERT_MANY, insertManyParams } from './memory-insert.sql';
import { MemorySql } from './memory-sql';
import { toVectorText } from './vector-text';

/** Memories in PostgreSQL (raw SQL); every write appends the events to the outbox in the same transaction. */
@Injectable()
@TimedRepository('memory')
export class PgMemoryRepository extends MemoryRepository {
  constructor(
    private readonly sql: MemorySql,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  async insertMany(memories: Memory[], options: { deferIndex?: boolean } = {}): Promise<void> {
    if (memories.length === 0) return;
    await this.sql.query(INSERT_MANY, insertManyParams(memories.map((m) => m.snapshot()), options.deferIndex === true));
    const events: DomainEvent[] = [];
    for (const memory of memories) {
      memory.markPersisted(1);
      events.push(...memory.pullEvents());
    }
    await this.outbox.append(events);
  }

  async findLive(tenantId: string, id: string): Promise<Memory | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.sql.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS}, ${MEMORY_EMBEDDING_COLUMN} FROM memories m
       WHERE m.id = $1 AND m.tenant_id = $2 AND m.status <> 'deleted' AND (m.expires_at IS NULL OR m.expires_at > now())`,
      [id, tenantId],
    );
    return row ? Memory.restore(memoryStateOf(row)) : null;
  }

  async update(memory: Memory): Promise<void> {
    await this.write(memory, memory.pullEvents());
  }

  async delete(memory: Memory, reason: string): Promise<void> {
    const events = memory.pullEvents();
    await this.write(memory, []);
    const removed = await this.sql.query<{ collection_id: string }>(
      `DELETE FROM memory_collection_items WHERE memory_id = $1 AND tenant_id = $2 RETURNING collection_id`,
      [memory.id, memory.tenantId],
    );
    const now = new Date();
    for (const { collection_id: collectionId } of removed) {
      events.push(new MemoryRemovedFromCollection(memory.tenantId, collectionId, { collectionId, memoryId: memory.id, reason }, now));
    }
    await this.outbox.append(events);
  }

  async defaultTtlDays(tenantId: string, namespaces: string[]): Promise<Map<string, number>> {
    const distinct = [...new Set(namespaces)];
    if (distinct.length === 0) return new Map();
    const rows = await this.sql.query<{ namespace: string; ttl_days: number }>(DEFAULT_TTL_DAYS, [tenantId, distinct]);
    return new Map(rows.map((r) => [r.namespace, r.ttl_days]));
  }

  /** The UPDATE with the optimistic revision check, the revision row, then the events. */
  private async write(memory: Memory, events: DomainEvent[]): Promise<void> {
    const s = memory.snapshot();
    const params: unknown[] = [
      s.id,
      s.tenantId,
      s.revision,
      s.content,
      s.namespace,
      s.status,
      s.importance,
      importanceRank(s.importance),
      JSON.stringify(s.metadata),
      s.tags,
      s.expiresAt,
      s.updatedAt,
      s.deletedAt,
    ];
    let embedding = '';
    if (memory.hasNewEmbedding && s.embedding) {
      params.push(toVectorText(s.embedding), s.embeddingModel);
      embedding = `, embedding = $14::vector, embedding_model = $15`;
    }
    const rows = await this.sql.query<{ row_version: number }>(
      `UPDATE memories SET content = $4, namespace = $5::ltree, status = $6, importance = $7, importance_rank = $8, metadata = $9::jsonb,
         tags = $10::text[], expires_at = $11, updated_at = $12, deleted_at = $13, row_version = row_version + 1${embedding}
       WHERE id = $1 AND tenant_id = $2 AND row_version = $3
       RETURNING row_version`,
      params,
    );
    if (rows.length === 0) throw concurrentModification(s.id);
    const replaced = memory.replacedContent;
    if (replaced) {
      await this.sql.query(
        `INSERT INTO memory_revisions (id, tenant_id, memory_id, revision, content, embedding_model, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [newId(), s.tenantId, s.id, replaced.revision, replaced.content, replaced.embeddingModel, s.updatedAt],
      );
    }
    memory.markPersisted(rows[0].row_version);
    await this.outbox.append(events);
  }
}

export function concurrentModification(id: string): DomainError {
  return new DomainError('CONCURRENT_MODIFICATION', `Memory ${id} was changed by someone else; reload it and retry`);
}
