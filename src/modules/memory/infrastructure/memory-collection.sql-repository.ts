import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { MemoryCollection } from '../domain/collections/memory-collection.aggregate';
import { MemoryCollectionRepository } from '../domain/collections/memory-collection.repository.port';
import { MemorySql } from './memory-sql';

function pgCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

/** Collections in `memory_collections`, membership in `memory_collection_items` (raw SQL). */
@Injectable()
export class MemoryCollectionSqlRepository extends MemoryCollectionRepository {
  constructor(
    private readonly sql: MemorySql,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  async insert(collection: MemoryCollection): Promise<void> {
    const s = collection.toSnapshot();
    const rows = await this.sql.query(
      `INSERT INTO memory_collections (id, tenant_id, name, description, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id`,
      [s.id, s.tenantId, s.name, s.description, s.createdAt],
    );
    if (rows.length === 0) throw new DomainError('MEMORY_COLLECTION_EXISTS', `A memory collection named ${JSON.stringify(s.name)} already exists`);
    await this.saveEvents(collection);
  }

  async findById(tenantId: string, collectionId: string): Promise<MemoryCollection | null> {
    if (!isUuid(collectionId)) return null;
    const [row] = await this.sql.query(`SELECT id, tenant_id, name, description, created_at, updated_at FROM memory_collections WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      collectionId.toLowerCase(),
    ]);
    if (!row) return null;
    return MemoryCollection.restore({ id: row.id, tenantId: row.tenant_id, name: row.name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at });
  }

  async delete(collection: MemoryCollection): Promise<void> {
    await this.sql.query(`DELETE FROM memory_collections WHERE tenant_id = $1 AND id = $2`, [collection.tenantId, collection.id]);
    await this.saveEvents(collection);
  }

  async lockLiveMemory(tenantId: string, memoryId: string): Promise<boolean> {
    if (!isUuid(memoryId)) return false;
    const rows = await this.sql.query(
      `SELECT 1 FROM memories WHERE tenant_id = $1 AND id = $2 AND status <> 'deleted' AND (expires_at IS NULL OR expires_at > now()) FOR SHARE`,
      [tenantId, memoryId.toLowerCase()],
    );
    return rows.length > 0;
  }

  async addMember(collection: MemoryCollection, memoryId: string): Promise<boolean> {
    try {
      const rows = await this.sql.query(
        `INSERT INTO memory_collection_items (collection_id, memory_id, tenant_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING memory_id`,
        [collection.id, memoryId.toLowerCase(), collection.tenantId],
      );
      return rows.length > 0;
    } catch (error) {
      // The collection was deleted by a concurrent request (the memory is share-locked by the caller).
      if (pgCode(error) === '23503') throw new DomainError('MEMORY_COLLECTION_NOT_FOUND', `Memory collection ${collection.id} not found`);
      throw error;
    }
  }

  async removeMember(collection: MemoryCollection, memoryId: string): Promise<boolean> {
    if (!isUuid(memoryId)) return false;
    const rows = await this.sql.query(`DELETE FROM memory_collection_items WHERE collection_id = $1 AND memory_id = $2 RETURNING memory_id`, [collection.id, memoryId.toLowerCase()]);
    return rows.length > 0;
  }

  async saveEvents(collection: MemoryCollection): Promise<void> {
    await this.outbox.append(collection.pullEvents());
  }
}
