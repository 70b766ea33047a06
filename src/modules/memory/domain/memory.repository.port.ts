import type { Memory } from './memory.aggregate';

/**
 * Memories in storage. Every write also appends the aggregates' events to the outbox in the same
 * (caller's) transaction. Framework-free port; the adapter is raw SQL.
 */
export abstract class MemoryRepository {
  /**
   * Inserts every memory with ONE statement (and their events with one more). With `deferIndex`,
   * a vector index that is slow to update (HNSW) may be brought up to date after the write; the
   * memories are found by searches either way.
   */
  abstract insertMany(memories: Memory[], options?: { deferIndex?: boolean }): Promise<void>;

  /**
   * A memory of the tenant that is neither deleted nor expired, or null (also for another tenant's
   * id or a malformed one).
   */
  abstract findLive(tenantId: string, id: string): Promise<Memory | null>;

  /**
   * Writes the changes if the stored revision is still the memory's (else CONCURRENT_MODIFICATION),
   * keeps the replaced content in `memory_revisions`, and bumps the revision.
   */
  abstract update(memory: Memory): Promise<void>;

  /**
   * Writes a soft delete (see update) and takes the memory out of every collection, with a
   * MemoryRemovedFromCollection event per collection.
   */
  abstract delete(memory: Memory, reason: string): Promise<void>;

  /**
   * The default `expiresAt` per namespace from lifecycle policies: for each namespace, the deepest
   * enabled policy of the tenant with a `ttlDays` whose namespace is an ancestor of (or equal to) it.
   * Namespaces without one are absent from the map. One query for all of them.
   */
  abstract defaultTtlDays(tenantId: string, namespaces: string[]): Promise<Map<string, number>>;
}
