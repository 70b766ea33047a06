import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import { Agent, type AgentState } from '@cognition/agent/domain/agent.aggregate';
import { AgentRepository, type AgentListFilter } from '@cognition/agent/domain/agent.repository.port';

/**
 * AgentRepository in memory, with the adapter's semantics (update keeps the stored usage unless the
 * budget was reset); events go to `publishedEvents`. `rows` is shared with InMemoryAgentUsageLedger.
 */
export class InMemoryAgentRepository extends AgentRepository {
  readonly publishedEvents: DomainEvent[] = [];
  readonly rows = new Map<string, AgentState>();

  async findById(tenantId: string, id: string): Promise<Agent | null> {
    const row = this.rows.get(id);
    return row && row.tenantId === tenantId ? Agent.restore(row) : null;
  }

  async list(tenantId: string, filter: AgentListFilter): Promise<Agent[]> {
    return [...this.rows.values()]
      .filter((r) => r.tenantId === tenantId)
      .filter((r) => (!filter.status || r.status === filter.status) && (!filter.role || r.role === filter.role) && (!filter.definitionId || r.definitionId === filter.definitionId))
      .filter((r) => !filter.afterId || r.id > filter.afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, filter.limit)
      .map((r) => Agent.restore(r));
  }

  async countLiveByDefinition(tenantId: string, definitionId: string): Promise<number> {
    return [...this.rows.values()].filter((r) => r.tenantId === tenantId && r.definitionId === definitionId && r.status !== 'terminated').length;
  }

  async insert(agent: Agent): Promise<void> {
    agent.markPersisted(1);
    this.rows.set(agent.id, agent.toState());
    this.publishedEvents.push(...agent.pullEvents());
  }

  async update(agent: Agent): Promise<void> {
    const stored = this.rows.get(agent.id);
    if (!stored || stored.revision !== agent.revision) throw new DomainError('CONCURRENT_MODIFICATION', `Agent ${agent.id} was changed by someone else`);
    const next = agent.toState();
    const usage = agent.budgetWasReset ? { budgetUsage: next.budgetUsage, budgetWarnedAt: next.budgetWarnedAt } : { budgetUsage: stored.budgetUsage, budgetWarnedAt: stored.budgetWarnedAt };
    agent.markPersisted(stored.revision + 1, usage);
    this.rows.set(agent.id, agent.toState());
    this.publishedEvents.push(...agent.pullEvents());
  }
}
