import type { AgentDefinition } from './agent-definition.aggregate';

export interface AgentDefinitionListFilter {
  name?: string;
  role?: string;
  limit: number;
  /** Keyset: definitions with an id after this one (ids are UUIDv7, so creation order). */
  afterId?: string;
}

/**
 * Port (DI token) for agent definitions, all scoped by tenant. Deleted definitions are not found.
 * Adapters append `definition.pullEvents()` to the outbox in the same transaction as the write.
 */
export abstract class AgentDefinitionRepository {
  /**
   * `lock`: `share` keeps the definition from being deleted until the transaction ends (instantiate);
   * `update` serializes with instantiations (delete).
   */
  abstract findById(tenantId: string, id: string, lock?: 'share' | 'update'): Promise<AgentDefinition | null>;

  abstract list(tenantId: string, filter: AgentDefinitionListFilter): Promise<AgentDefinition[]>;

  /** Stores revision 1; DomainError AGENT_DEFINITION_EXISTS when (tenant, name, version) exists. */
  abstract insert(definition: AgentDefinition): Promise<void>;

  /** Optimistic: DomainError CONCURRENT_MODIFICATION unless the stored revision is the loaded one. */
  abstract update(definition: AgentDefinition): Promise<void>;

  /** Removes the definition (same revision check); its name and version can be registered again. */
  abstract delete(definition: AgentDefinition): Promise<void>;
}
