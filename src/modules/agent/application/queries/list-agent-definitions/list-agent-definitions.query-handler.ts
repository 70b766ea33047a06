import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, toPage } from '@cognition/platform/pagination/cursor';
import { AgentDefinitionView, ListAgentDefinitionsQuery } from '@cognition/agent/contracts';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
import { afterIdOf } from '../../load-agent';

/** Definitions in registration order (ids are UUIDv7), filtered by name and role. */
@QueryHandler(ListAgentDefinitionsQuery)
export class ListAgentDefinitionsQueryHandler implements IQueryHandler<ListAgentDefinitionsQuery, Page<AgentDefinitionView>> {
  constructor(private readonly definitions: AgentDefinitionRepository) {}

  async execute({ tenantId, filter }: ListAgentDefinitionsQuery): Promise<Page<AgentDefinitionView>> {
    const { limit, cursor, name, role } = filter;
    const rows = await this.definitions.list(tenantId, { name, role, limit: limit + 1, afterId: afterIdOf(cursor) });
    return toPage(
      rows.map((d) => d.toView()),
      limit,
      (v) => v,
      (v) => ({ id: v.id }),
    );
  }
}
