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
import { MemorySql } from './memory-sql';
import { toVectorText } from './vector-text';

/**
 * One statement for any number of memories: the columns travel as parallel arrays and `unnest`
 * turns them into rows (no per-row round trip, no statement text that grows with the batch).
 * Tags and summaryOf are arrays per row, so they travel as JSON.
 */
const INSERT_MANY = `
  INSERT INTO memories (id, tenant_id, user_id, agent_id, session_id, content, memory_type, scope, namespace, embedding,
    embedding_model, status, importance, importance_rank, metadata, tags, expires_at, summary_of, created_at, updated_at, row_version)
  SELECT v.id, v.tenant_id, v.user_id, v.agent_id, v.session_id, v.content, v.memory_type, v.scope, v.namespace::ltree, v.embedding::vector,
    v.embedding_model, v.status, v.importance, v.importance_rank, v.metadata,
    ARRAY(SELECT jsonb_array_elements_text(v.tags)), v.expires_at, ARRAY(SELECT jsonb_array_elements_text(v.summary_of))::uuid[],
    v.created_at, v.created_at, 1
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
    $11::text[], $12::text[], $13::text[], $14::smallint[], $15::jsonb[], $16::jsonb[], $17::timestamptz[], $18::jsonb[], $19::timestamptz[])
    AS v(id, tenant_id, user_id, agent_id, session_id, content, memory_type, scope, namespace, embedding,
      embedding_model, status, importance, importance_rank, metadata, tags, expires_at, summary_of, created_at)`;

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

  async insertMany(memories: Memory[]): Promise<void> {
    if (memories.length === 0) return;
    const states = memories.map((m) => m.snapshot());
    const column = <T>(pick: (s: (typeof states)[number]) => T) => states.map(pick);
    await this.sql.query(INSERT_MANY, [
      column((s) => s.id),
      column((s) => s.tenantId),
      column((s) => s.userId),
      column((s) => s.agentId),
      column((s) => s.sessionId),
      column((s) => s.content),
      column((s) => s.memoryType),
      column((s) => s.scope),
      column((s) => s.namespace),
      column((s) => (s.embedding ? toVectorText(s.embedding) : null)),
      column((s) => s.embeddingModel),
      column((s) => s.status),
      column((s) => s.importance),
      column((s) => importanceRank(s.importance)),
      column((s) => JSON.stringify(s.metadata)),
      column((s) => JSON.stringify(s.tags)),
      column((s) => s.expiresAt),
      column((s) => JSON.stringify(s.summaryOf)),
      column((s) => s.createdAt),
    ]);
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
    const rows = await this.sql.query<{ namespace: string; ttl_days: number }>(
      `SELECT DISTINCT ON (n.ns) n.ns AS namespace, p.ttl_days
       FROM unnest($2::text[]) AS n(ns)
       JOIN memory_policies p ON p.tenant_id = $1 AND p.enabled AND p.ttl_days IS NOT NULL AND p.namespace @> n.ns::ltree
       ORDER BY n.ns, nlevel(p.namespace) DESC, p.ttl_days ASC`,
      [tenantId, distinct],
    );
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
