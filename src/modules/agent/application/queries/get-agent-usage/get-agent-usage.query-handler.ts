import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { AgentUsageView, GetAgentUsageQuery } from '@cognition/agent/contracts';
import { AgentUsageLedger } from '@cognition/agent/domain/agent-usage-ledger.port';

/** Limits, usage, the ledger's totals and its latest entries (newest first). */
@QueryHandler(GetAgentUsageQuery)
export class GetAgentUsageQueryHandler implements IQueryHandler<GetAgentUsageQuery, AgentUsageView> {
  constructor(private readonly ledger: AgentUsageLedger) {}

  async execute({ tenantId, agentId, limit }: GetAgentUsageQuery): Promise<AgentUsageView> {
    const view = await this.ledger.usageOf(tenantId, agentId, Math.min(Math.max(Math.trunc(limit) || 100, 1), 1000));
    if (!view) throw new DomainError('AGENT_NOT_FOUND', `Agent ${agentId} not found`);
    return view;
  }
}
