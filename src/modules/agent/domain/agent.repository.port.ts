import type { AgentStatus } from '../contracts/agent.types';
import type { Agent } from './agent.aggregate';

export interface AgentListFilter {
  status?: AgentStatus;
  role?: string;
  definitionId?: string;
  limit: number;
  /** Keyset: agents with an id after this one (ids are UUIDv7, so creation order). */
  afterId?: string;
}

/**
 * Port (DI token) for agents, all scoped by tenant. Adapters append `agent.pullEvents()` to the
 * outbox in the same transaction as the write. `update` never writes budget usage (the usage
 * ledger owns it) unless `agent.budgetWasReset`.
 */
export abstract class AgentRepository {
  /** `lock`: SELECT … FOR UPDATE (the caller's transaction holds the row). */
  abstract findById(tenantId: string, id: string, lock?: boolean): Promise<Agent | null>;

  abstract list(tenantId: string, filter: AgentListFilter): Promise<Agent[]>;

  /** How many agents of the definition are not terminated. */
  abstract countLiveByDefinition(tenantId: string, definitionId: string): Promise<number>;

  /** Stores revision 1. */
  abstract insert(agent: Agent): Promise<void>;

  /** Optimistic: DomainError CONCURRENT_MODIFICATION unless the stored revision is the loaded one. */
  abstract update(agent: Agent): Promise<void>;
}
