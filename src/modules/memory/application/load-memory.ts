import { DomainError } from '@cognition/platform/domain';
import type { Memory } from '../domain/memory.aggregate';
import type { MemoryRepository } from '../domain/memory.repository.port';

export function memoryNotFound(id: string): DomainError {
  return new DomainError('MEMORY_NOT_FOUND', `Memory ${id} not found`);
}

/** A live memory of the tenant or MEMORY_NOT_FOUND (deleted, expired, another tenant's, malformed id). */
export async function loadMemory(repo: MemoryRepository, tenantId: string, id: string): Promise<Memory> {
  const memory = await repo.findLive(tenantId, id);
  if (!memory) throw memoryNotFound(id);
  return memory;
}
