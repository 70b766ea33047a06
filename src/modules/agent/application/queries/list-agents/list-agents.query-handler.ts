import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, toPage } from '@cognition/platform/pagination/cursor';
import { AgentView, ListAgentsQuery } from '@cognition/agent/contracts';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { afterIdOf } from '../../load-agent';

/** Agents in creation order (ids are UUIDv7), filtered by status, role and definition. */
@QueryHandler(ListAgentsQuery)
export class ListAgentsQueryHandler implements IQueryHandler<ListAgentsQuery, Page<AgentView>> {
  constructor(private readonly agents: AgentRepository) {}

  async execute({ tenantId, filter }: ListAgentsQuery): Promise<Page<AgentView>> {
    const { limit, cursor, status, role, definitionId } = filter;
    const rows = await this.agents.list(tenantId, { status, role, definitionId, limit: limit + 1, afterId: afterIdOf(cursor) });
    return toPage(
      rows.map((a) => a.toView()),
      limit,
      (v) => v,
      (v) => ({ id: v.id }),
    );
  }
}
