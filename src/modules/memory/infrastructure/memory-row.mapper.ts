import type { MemoryImportance, MemoryScope, MemoryStatus, MemoryType, MemoryView } from '../contracts';
import { type MemoryState, memoryView } from '../domain/memory.aggregate';
import { fromVectorText } from './vector-text';

/**
 * A memory's access counts (alias `m` for the memory): they live in `memory_access`, one narrow row
 * per memory ever returned by a search (migration 1764150930000-memory-access); no row means never
 * accessed.
 */
export const MEMORY_ACCESS_COUNT = `COALESCE((SELECT a.access_count FROM memory_access a WHERE a.memory_id = m.id), 0) AS access_count`;
export const MEMORY_LAST_ACCESSED_AT = `(SELECT a.last_accessed_at FROM memory_access a WHERE a.memory_id = m.id) AS last_accessed_at`;

/**
 * The columns of a memory row (alias `m`), for every reader of `memories` (list, get, search…):
 * `SELECT ${MEMORY_COLUMNS} FROM memories m …`, then `memoryViewOf(row)`.
 * Add MEMORY_EMBEDDING_COLUMN when the vector is wanted.
 */
export const MEMORY_COLUMNS = [
  'm.id',
  'm.tenant_id',
  'm.user_id',
  'm.agent_id',
  'm.session_id',
  'm.content',
  'm.memory_type',
  'm.scope',
  'm.namespace::text AS namespace',
  'm.embedding_model',
  'm.status',
  'm.importance',
  'm.metadata',
  'm.tags',
  MEMORY_ACCESS_COUNT,
  MEMORY_LAST_ACCESSED_AT,
  'm.expires_at',
  'm.summary_of',
  'm.created_at',
  'm.updated_at',
  'm.deleted_at',
  'm.row_version',
].join(', ');

export const MEMORY_EMBEDDING_COLUMN = 'm.embedding::text AS embedding';

export interface MemoryRow {
  id: string;
  tenant_id: string;
  user_id: string | null;
  agent_id: string | null;
  session_id: string | null;
  content: string;
  memory_type: string;
  scope: string;
  namespace: string;
  embedding?: string | null;
  embedding_model: string | null;
  status: string;
  importance: string;
  metadata: Record<string, unknown>;
  tags: string[];
  access_count: number;
  last_accessed_at: Date | null;
  expires_at: Date | null;
  summary_of: string[];
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  row_version: number;
}

export function memoryStateOf(row: MemoryRow): MemoryState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    content: row.content,
    memoryType: row.memory_type as MemoryType,
    scope: row.scope as MemoryScope,
    namespace: row.namespace,
    userId: row.user_id,
    agentId: row.agent_id,
    sessionId: row.session_id,
    status: row.status as MemoryStatus,
    importance: row.importance as MemoryImportance,
    metadata: row.metadata ?? {},
    tags: row.tags ?? [],
    embedding: fromVectorText(row.embedding ?? null),
    embeddingModel: row.embedding_model,
    accessCount: row.access_count,
    lastAccessedAt: row.last_accessed_at,
    expiresAt: row.expires_at,
    summaryOf: row.summary_of ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    revision: row.row_version,
  };
}

/** The API view of a row; `embedding` only when the row has the MEMORY_EMBEDDING_COLUMN. */
export function memoryViewOf(row: MemoryRow): MemoryView {
  return memoryView(memoryStateOf(row), row.embedding !== undefined);
}
