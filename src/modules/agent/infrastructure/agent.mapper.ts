import type { AgentStatus, BudgetUsage, FailureStrategy } from '../contracts/agent.types';
import { Agent, type AgentState } from '../domain/agent.aggregate';
import { AgentOrmEntity } from './agent.orm-entity';

/** The usage columns as a row holds them (pg returns bigint and numeric as strings). */
export interface UsageColumns {
  tokensUsed: string | number;
  costUsd: string | number;
  timeSeconds: string | number;
  toolExecutions: string | number;
}

export function usageFromColumns(row: UsageColumns): BudgetUsage {
  return { tokensUsed: Number(row.tokensUsed), costUsd: Number(row.costUsd), timeSeconds: Number(row.timeSeconds), toolExecutions: Number(row.toolExecutions) };
}

/** Agent aggregate ⇄ `agents` row. Numeric and bigint columns are JS numbers in the domain. */
export const AgentMapper = {
  toDomain(row: AgentOrmEntity): Agent {
    return Agent.restore(AgentMapper.toState(row));
  },

  toState(row: AgentOrmEntity): AgentState {
    return {
      id: row.id,
      tenantId: row.tenantId,
      definitionId: row.definitionId,
      name: row.name,
      role: row.role,
      capabilities: row.capabilities,
      tools: row.tools,
      modelConfig: { ...row.modelConfig, fallback: row.modelConfig.fallback ?? null },
      systemPromptTemplate: row.systemPromptTemplate,
      failureStrategy: row.failureStrategy as FailureStrategy,
      budgetLimits: {
        maxTokens: Number(row.maxTokens),
        maxCostUsd: Number(row.maxCostUsd),
        maxTimeSeconds: Number(row.maxTimeSeconds),
        maxToolExecutions: Number(row.maxToolExecutions),
      },
      budgetUsage: usageFromColumns(row),
      budgetWarnedAt: row.budgetWarnedAt ? new Date(row.budgetWarnedAt) : null,
      grantedPermissions: row.grantedPermissions,
      status: row.status as AgentStatus,
      currentTaskId: row.currentTaskId,
      lastActiveAt: row.lastActiveAt ? new Date(row.lastActiveAt) : null,
      createdAt: new Date(row.createdAt),
      updatedAt: new Date(row.updatedAt),
      revision: row.rowVersion,
    };
  },

  toRow(agent: Agent): AgentOrmEntity {
    const s = agent.toState();
    const row = new AgentOrmEntity();
    Object.assign(row, {
      id: s.id,
      tenantId: s.tenantId,
      definitionId: s.definitionId,
      name: s.name,
      role: s.role,
      capabilities: s.capabilities,
      tools: s.tools,
      modelConfig: s.modelConfig,
      systemPromptTemplate: s.systemPromptTemplate,
      failureStrategy: s.failureStrategy,
      maxTokens: String(s.budgetLimits.maxTokens),
      maxCostUsd: String(s.budgetLimits.maxCostUsd),
      maxTimeSeconds: String(s.budgetLimits.maxTimeSeconds),
      maxToolExecutions: s.budgetLimits.maxToolExecutions,
      tokensUsed: String(s.budgetUsage.tokensUsed),
      costUsd: String(s.budgetUsage.costUsd),
      timeSeconds: String(s.budgetUsage.timeSeconds),
      toolExecutions: s.budgetUsage.toolExecutions,
      budgetWarnedAt: s.budgetWarnedAt,
      grantedPermissions: s.grantedPermissions,
      status: s.status,
      currentTaskId: s.currentTaskId,
      lastActiveAt: s.lastActiveAt,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      rowVersion: s.revision,
    });
    return row;
  },
};
