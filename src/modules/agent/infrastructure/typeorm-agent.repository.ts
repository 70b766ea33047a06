import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { Agent } from '../domain/agent.aggregate';
import { AgentListFilter, AgentRepository } from '../domain/agent.repository.port';
import { AgentMapper, usageFromColumns, UsageColumns } from './agent.mapper';
import { AgentOrmEntity } from './agent.orm-entity';

type StoredUsage = UsageColumns & { rowVersion: number; budgetWarnedAt: Date | null };

/**
 * Agents in PostgreSQL; every write also appends the aggregate's events to the outbox. `update`
 * leaves the usage columns to the ledger's atomic SQL, except right after a budget reset, and
 * reads the stored usage back into the aggregate.
 */
@Injectable()
@TimedRepository('agent')
export class TypeOrmAgentRepository extends AgentRepository {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  async findById(tenantId: string, id: string, lock = false): Promise<Agent | null> {
    if (!isUuid(id)) return null;
    const qb = this.host.tx.getRepository(AgentOrmEntity).createQueryBuilder('a').where('a.tenant_id = :tenantId AND a.id = :id', { tenantId, id });
    if (lock) qb.setLock('pessimistic_write');
    const row = await qb.getOne();
    return row ? AgentMapper.toDomain(row) : null;
  }

  async list(tenantId: string, filter: AgentListFilter): Promise<Agent[]> {
    const qb = this.host.tx.getRepository(AgentOrmEntity).createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId });
    if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
    if (filter.role) qb.andWhere('a.role = :role', { role: filter.role });
    if (filter.definitionId) {
      if (!isUuid(filter.definitionId)) return [];
      qb.andWhere('a.definition_id = :definitionId', { definitionId: filter.definitionId });
    }
    if (filter.afterId) qb.andWhere('a.id > :afterId', { afterId: filter.afterId });
    const rows = await qb.orderBy('a.id', 'ASC').limit(filter.limit).getMany();
    return rows.map(AgentMapper.toDomain);
  }

  async countLiveByDefinition(tenantId: string, definitionId: string): Promise<number> {
    const [{ n }] = await this.host.tx.query(`SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1 AND definition_id = $2 AND status <> 'terminated'`, [
      tenantId,
      definitionId,
    ]);
    return n;
  }

  async insert(agent: Agent): Promise<void> {
    const row = AgentMapper.toRow(agent);
    row.rowVersion = 1;
    await this.host.tx.createQueryBuilder().insert().into(AgentOrmEntity).values(row as QueryDeepPartialEntity<AgentOrmEntity>).execute();
    agent.markPersisted(1);
    await this.outbox.append(agent.pullEvents());
  }

  async update(agent: Agent): Promise<void> {
    const s = agent.toState();
    const values: unknown[] = [
      s.tenantId,
      s.id,
      s.revision,
      s.name,
      s.role,
      s.capabilities,
      s.tools,
      JSON.stringify(s.modelConfig),
      s.systemPromptTemplate,
      s.failureStrategy,
      s.budgetLimits.maxTokens,
      s.budgetLimits.maxCostUsd,
      s.budgetLimits.maxTimeSeconds,
      s.budgetLimits.maxToolExecutions,
      s.grantedPermissions,
      s.status,
      s.currentTaskId,
      s.lastActiveAt,
      s.updatedAt,
    ];
    // Usage is the ledger's; a reset is the one time the aggregate writes it (to zero).
    const reset = agent.budgetWasReset ? `, tokens_used = 0, cost_usd = 0, time_seconds = 0, tool_executions = 0, budget_warned_at = NULL` : '';
    const rows: StoredUsage[] = await this.host.tx.query(
      `WITH u AS (
         UPDATE agents SET name = $4, role = $5, capabilities = $6, tools = $7, model_config = $8::jsonb, system_prompt_template = $9,
           failure_strategy = $10, max_tokens = $11, max_cost_usd = $12, max_time_seconds = $13, max_tool_executions = $14,
           granted_permissions = $15, status = $16, current_task_id = $17,
           last_active_at = GREATEST(last_active_at, $18::timestamptz), updated_at = $19, row_version = row_version + 1${reset}
         WHERE tenant_id = $1 AND id = $2 AND row_version = $3
         RETURNING row_version, tokens_used, cost_usd, time_seconds, tool_executions, budget_warned_at)
       SELECT row_version AS "rowVersion", tokens_used AS "tokensUsed", cost_usd AS "costUsd", time_seconds AS "timeSeconds",
              tool_executions AS "toolExecutions", budget_warned_at AS "budgetWarnedAt" FROM u`,
      values,
    );
    if (rows.length === 0) throw new DomainError('CONCURRENT_MODIFICATION', `Agent ${s.id} was changed by someone else; reload and retry`);
    const [stored] = rows;
    agent.markPersisted(stored.rowVersion, { budgetUsage: usageFromColumns(stored), budgetWarnedAt: stored.budgetWarnedAt });
    await this.outbox.append(agent.pullEvents());
  }
}
