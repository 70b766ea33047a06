import type { FailureStrategy } from '../contracts/agent.types';
import { AgentDefinition, type AgentDefinitionState } from '../domain/agent-definition.aggregate';
import { AgentDefinitionOrmEntity } from './agent-definition.orm-entity';

/** AgentDefinition aggregate ⇄ `agent_definitions` row. */
export const AgentDefinitionMapper = {
  toDomain(row: AgentDefinitionOrmEntity): AgentDefinition {
    return AgentDefinition.restore(AgentDefinitionMapper.toState(row));
  },

  toState(row: AgentDefinitionOrmEntity): AgentDefinitionState {
    return {
      id: row.id,
      tenantId: row.tenantId,
      name: row.name,
      version: row.version,
      role: row.role,
      description: row.description,
      capabilities: row.capabilities,
      tools: row.tools,
      modelConfig: { ...row.modelConfig, fallback: row.modelConfig.fallback ?? null },
      defaultBudget: {
        maxTokens: Number(row.defaultBudget.maxTokens),
        maxCostUsd: Number(row.defaultBudget.maxCostUsd),
        maxTimeSeconds: Number(row.defaultBudget.maxTimeSeconds),
        maxToolExecutions: Number(row.defaultBudget.maxToolExecutions),
      },
      permissions: row.permissions,
      systemPromptTemplate: row.systemPromptTemplate,
      failureStrategy: row.failureStrategy as FailureStrategy,
      createdAt: new Date(row.createdAt),
      updatedAt: new Date(row.updatedAt),
      revision: row.rowVersion,
    };
  },

  toRow(definition: AgentDefinition): AgentDefinitionOrmEntity {
    const s = definition.toState();
    const row = new AgentDefinitionOrmEntity();
    Object.assign(row, {
      id: s.id,
      tenantId: s.tenantId,
      name: s.name,
      version: s.version,
      role: s.role,
      description: s.description,
      capabilities: s.capabilities,
      tools: s.tools,
      modelConfig: s.modelConfig,
      defaultBudget: s.defaultBudget,
      permissions: s.permissions,
      systemPromptTemplate: s.systemPromptTemplate,
      failureStrategy: s.failureStrategy,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      deletedAt: null,
      rowVersion: s.revision,
    });
    return row;
  },
};
