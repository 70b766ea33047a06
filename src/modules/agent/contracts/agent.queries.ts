import { Query } from '@nestjs/cqrs';
import type { AgentDefinitionView, AgentStatus, AgentUsageView, AgentView } from './agent.types';

export class GetAgentDefinitionQuery extends Query<AgentDefinitionView> {
  constructor(
    readonly tenantId: string,
    readonly definitionId: string,
  ) {
    super();
  }
}

export class ListAgentDefinitionsQuery extends Query<{ items: AgentDefinitionView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly filter: { name?: string; role?: string; limit: number; cursor?: string },
  ) {
    super();
  }
}

export class GetAgentQuery extends Query<AgentView> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
  ) {
    super();
  }
}

export class ListAgentsQuery extends Query<{ items: AgentView[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly filter: { status?: AgentStatus; role?: string; definitionId?: string; limit: number; cursor?: string },
  ) {
    super();
  }
}

export class GetAgentUsageQuery extends Query<AgentUsageView> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
    readonly limit = 100,
  ) {
    super();
  }
}
