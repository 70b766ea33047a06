import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { decodeCursor, type Page, toPage } from '@cognition/platform/pagination/cursor';
import type { MemoryFilters, MemoryStatus, MemoryView } from '../contracts';
import { memoryFilterSql } from './memory-filters.sql';
import { MEMORY_COLUMNS, MEMORY_EMBEDDING_COLUMN, type MemoryRow, memoryViewOf } from './memory-row.mapper';
import { MemorySql } from './memory-sql';

export interface MemoryRevisionView {
  revision: number;
  content: string;
  embeddingModel: string | null;
  createdAt: string;
}

type ListFilter = MemoryFilters & { status?: MemoryStatus; limit: number; cursor?: string };
type CursorKey = { createdAt: string; id: string };

/** The read side of memories: straight SQL to views, no aggregates. */
@Injectable()
export class MemoryReadModel {
  constructor(private readonly sql: MemorySql) {}

  /** A live memory (not deleted, not expired) of the tenant, or null. */
  async get(tenantId: string, id: string, includeEmbedding = false): Promise<MemoryView | null> {
    if (!isUuid(id)) return null;
    const columns = includeEmbedding ? `${MEMORY_COLUMNS}, ${MEMORY_EMBEDDING_COLUMN}` : MEMORY_COLUMNS;
    const [row] = await this.sql.query<MemoryRow>(
      `SELECT ${columns} FROM memories m
       WHERE m.id = $1 AND m.tenant_id = $2 AND m.status <> 'deleted' AND (m.expires_at IS NULL OR m.expires_at > now())`,
      [id, tenantId],
    );
    return row ? memoryViewOf(row) : null;
  }

  /** Newest first, keyset-paged on (created_at, id); every filter through memoryFilterSql. */
  async list(tenantId: string, filter: ListFilter): Promise<Page<MemoryView>> {
    const { status, limit, cursor, ...filters } = filter;
    const after = decodeCursor<CursorKey>(cursor, ['createdAt', 'id']);
    if (after && (!isUuid(after.id) || Number.isNaN(Date.parse(after.createdAt)))) {
      throw new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);
    }
    const where = memoryFilterSql(tenantId, { ...filters, includeArchived: filters.includeArchived || status === 'archived' });
    const params = [...where.params];
    const clauses = [where.where];
    if (status) {
      params.push(status);
      clauses.push(`m.status = $${params.length}`);
    }
    if (after) {
      params.push(after.createdAt, after.id);
      clauses.push(`(m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.sql.query<MemoryRow & { cursor_at: string }>(
      `SELECT ${MEMORY_COLUMNS}, m.created_at::text AS cursor_at FROM memories m
       WHERE ${clauses.join(' AND ')}
       ORDER BY m.created_at DESC, m.id DESC
       LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, limit, memoryViewOf, (r) => ({ createdAt: r.cursor_at, id: r.id }));
  }

  /** The previous contents of a live memory, oldest first; null when the memory is not found. */
  async revisions(tenantId: string, memoryId: string): Promise<MemoryRevisionView[] | null> {
    if (!(await this.get(tenantId, memoryId))) return null;
    const rows = await this.sql.query<{ revision: number; content: string; embedding_model: string | null; created_at: Date }>(
      `SELECT revision, content, embedding_model, created_at FROM memory_revisions WHERE memory_id = $1 AND tenant_id = $2 ORDER BY revision`,
      [memoryId, tenantId],
    );
    return rows.map((r) => ({ revision: r.revision, content: r.content, embeddingModel: r.embedding_model, createdAt: r.created_at.toISOString() }));
  }
}
