import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { agentIn, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { ResetAgentBudgetCommand } from '@cognition/agent/contracts';
import { ResetAgentBudgetCommandHandler } from './reset-agent-budget.command-handler';

describe('ResetAgentBudgetCommandHandler', () => {
  it('zeroes the usage, merges the limits and records AgentBudgetReset with the previous usage', async () => {
    const { moduleRef, agents } = await agentUnitModule(ResetAgentBudgetCommandHandler);
    const agent = agentIn('idle');
    agents.rows.set(agent.id, { ...agent.toState(), budgetUsage: { tokensUsed: 50, costUsd: 0.1, timeSeconds: 2, toolExecutions: 1 } });
    const view = await moduleRef.get(ResetAgentBudgetCommandHandler).execute(new ResetAgentBudgetCommand(TENANT, agent.id, { maxTokens: 99 }));
    expect(view).toMatchObject({ budgetUsage: { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 }, budgetLimits: { maxTokens: 99 } });
    expect(agents.rows.get(agent.id)!.budgetUsage.tokensUsed).toBe(0);
    expect(agents.publishedEvents.map((e) => [e.type, e.payload])).toEqual([
      ['AgentBudgetReset', { agentId: agent.id, previousUsage: { tokensUsed: 50, costUsd: 0.1, timeSeconds: 2, toolExecutions: 1 } }],
    ]);
    await expect(moduleRef.get(ResetAgentBudgetCommandHandler).execute(new ResetAgentBudgetCommand(TENANT, agent.id, { maxTokens: -1 }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
