import { agentIn, registeredDefinition, t1 } from '@cognition/test-support/mothers/agent.mother';
import { Agent } from '../domain/agent.aggregate';
import { AgentDefinitionMapper } from './agent-definition.mapper';
import { AgentMapper } from './agent.mapper';

describe('agent mappers', () => {
  it('round-trips an agent through its row, numbers included', () => {
    const agent = Agent.restore({
      ...agentIn('executing', { modelConfig: { provider: 'openai', model: 'm', fallback: { model: 'f' } } }).toState(),
      budgetLimits: { maxTokens: 9_000_000_000, maxCostUsd: 12.345678, maxTimeSeconds: 0.5, maxToolExecutions: 7 },
      budgetUsage: { tokensUsed: 123, costUsd: 0.000321, timeSeconds: 1.25, toolExecutions: 2 },
      budgetWarnedAt: t1,
      grantedPermissions: ['http', 'destructive'],
    });
    const row = AgentMapper.toRow(agent);
    expect([row.maxTokens, row.maxCostUsd, row.costUsd, row.toolExecutions]).toEqual(['9000000000', '12.345678', '0.000321', 2]);
    expect(AgentMapper.toState(row)).toEqual(agent.toState());
    // As pg returns them: numeric and bigint as strings.
    const fromPg = { ...row, maxTokens: '9000000000', maxCostUsd: '12.345678', maxTimeSeconds: '0.500', tokensUsed: '123', costUsd: '0.000321', timeSeconds: '1.250' };
    expect(AgentMapper.toDomain(fromPg as typeof row).toView()).toEqual(agent.toView());
  });

  it('round-trips a definition through its row', () => {
    const definition = registeredDefinition({
      description: 'd',
      modelConfig: { provider: 'anthropic', model: 'claude', topP: 0.5 },
      defaultBudget: { maxCostUsd: 2.5 },
      permissions: ['http', 'destructive'],
    });
    definition.markPersisted(3);
    const row = AgentDefinitionMapper.toRow(definition);
    expect([row.rowVersion, row.permissions]).toEqual([3, ['http', 'destructive']]);
    expect(AgentDefinitionMapper.toState(row)).toEqual(definition.toState());
    expect(AgentDefinitionMapper.toDomain(row).toView()).toEqual(definition.toView());
  });
});
