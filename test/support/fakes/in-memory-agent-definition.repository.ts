import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import { AgentDefinition, type AgentDefinitionState } from '@cognition/agent/domain/agent-definition.aggregate';
import { AgentDefinitionRepository, type AgentDefinitionListFilter } from '@cognition/agent/domain/agent-definition.repository.port';

/** AgentDefinitionRepository in memory, with the adapter's semantics; events go to `publishedEvents`. */
export class InMemoryAgentDefinitionRepository extends AgentDefinitionRepository {
  readonly publishedEvents: DomainEvent[] = [];
  private readonly rows = new Map<string, AgentDefinitionState>();

  async findById(tenantId: string, id: string): Promise<AgentDefinition | null> {
    const row = this.rows.get(id);
    return row && row.tenantId === tenantId ? AgentDefinition.restore(row) : null;
  }

  async list(tenantId: string, filter: AgentDefinitionListFilter): Promise<AgentDefinition[]> {
    return [...this.rows.values()]
      .filter((r) => r.tenantId === tenantId && (!filter.name || r.name === filter.name) && (!filter.role || r.role === filter.role))
      .filter((r) => !filter.afterId || r.id > filter.afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, filter.limit)
      .map((r) => AgentDefinition.restore(r));
  }

  async insert(definition: AgentDefinition): Promise<void> {
    const exists = [...this.rows.values()].some((r) => r.tenantId === definition.tenantId && r.name === definition.name && r.version === definition.version);
    if (exists) throw new DomainError('AGENT_DEFINITION_EXISTS', `Agent definition ${definition.name} version ${definition.version} already exists`);
    definition.markPersisted(1);
    this.rows.set(definition.id, definition.toState());
    this.publishedEvents.push(...definition.pullEvents());
  }

  async update(definition: AgentDefinition): Promise<void> {
    this.check(definition);
    definition.markPersisted(definition.revision + 1);
    this.rows.set(definition.id, definition.toState());
    this.publishedEvents.push(...definition.pullEvents());
  }

  async delete(definition: AgentDefinition): Promise<void> {
    this.check(definition);
    this.rows.delete(definition.id);
    this.publishedEvents.push(...definition.pullEvents());
  }

  private check(definition: AgentDefinition): void {
    const stored = this.rows.get(definition.id);
    if (!stored || stored.revision !== definition.revision) throw new DomainError('CONCURRENT_MODIFICATION', `Agent definition ${definition.id} was changed by someone else`);
  }
}
