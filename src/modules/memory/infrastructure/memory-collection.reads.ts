import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { decodeCursor, type Page, toPage } from '@cognition/platform/pagination/cursor';
import type { MemoryCollectionView, MemoryView } from '../contracts';
import { memoryFilterSql } from './memory-filters.sql';
import { MEMORY_COLUMNS, type MemoryRow, memoryViewOf } from './memory-row.mapper';
import { MemorySql } from './memory-sql';

interface CollectionRow {
  id: string;
  name: string;
  description: string | null;
  memory_count: string;
  created_at: Date;
  updated_at: Date;
}

const badCursor = () => new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);

/** The collection's visible members: the shared filter (not deleted, not expired), archived included. */
function membersFilter(tenantId: string, first: number) {
  return memoryFilterSql(tenantId, { includeArchived: true }, first);
}

function viewOf(row: CollectionRow): MemoryCollectionView {
  return { id: row.id, name: row.name, description: row.description, memoryCount: Number(row.memory_count), createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

/** The read side of collections: views with their member counts, pages of members. */
@Injectable()
export class MemoryCollectionReads {
  constructor(private readonly sql: MemorySql) {}

  private select(where: string, first: number, tenantId: string): { text: string; params: unknown[] } {
    const filter = membersFilter(tenantId, first);
    return {
      text: `SELECT c.id, c.name, c.description, c.created_at, c.updated_at,
                    (SELECT count(*) FROM memory_collection_items i JOIN memories m ON m.id = i.memory_id
                      WHERE i.collection_id = c.id AND ${filter.where}) AS memory_count
               FROM memory_collections c WHERE ${where}`,
      params: filter.params,
    };
  }

  async get(tenantId: string, collectionId: string): Promise<MemoryCollectionView | null> {
    if (!isUuid(collectionId)) return null;
    const q = this.select('c.tenant_id = $1 AND c.id = $2', 3, tenantId);
    const [row] = await this.sql.query<CollectionRow>(q.text, [tenantId, collectionId.toLowerCase(), ...q.params]);
    return row ? viewOf(row) : null;
  }

  /** Newest first (ids are UUIDv7). */
  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<MemoryCollectionView>> {
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    if (after && !isUuid(after.id)) throw badCursor();
    const q = this.select(`c.tenant_id = $1 AND ($3::uuid IS NULL OR c.id < $3::uuid) ORDER BY c.id DESC LIMIT $2`, 4, tenantId);
    const rows = await this.sql.query<CollectionRow>(q.text, [tenantId, limit + 1, after?.id ?? null, ...q.params]);
    return toPage(rows, limit, viewOf, (row) => ({ id: row.id }));
  }

  /** Visible members, newest memory first. */
  async members(tenantId: string, collectionId: string, limit: number, cursor?: string): Promise<Page<MemoryView>> {
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    if (after && !isUuid(after.id)) throw badCursor();
    const filter = membersFilter(tenantId, 4);
    const rows = await this.sql.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memory_collection_items i JOIN memories m ON m.id = i.memory_id
        WHERE i.collection_id = $1 AND ($3::uuid IS NULL OR i.memory_id < $3::uuid) AND ${filter.where}
        ORDER BY i.memory_id DESC LIMIT $2`,
      [collectionId, limit + 1, after?.id ?? null, ...filter.params],
    );
    return toPage(rows, limit, memoryViewOf, (row) => ({ id: row.id }));
  }
}
