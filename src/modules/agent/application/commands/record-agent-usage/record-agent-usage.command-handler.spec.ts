import { agentUnitModule } from '@cognition/test-support/mothers/agent-unit-module';
import { agentIn, OTHER_TENANT, RUN, TASK, TENANT } from '@cognition/test-support/mothers/agent.mother';
import { RecordAgentUsageCommand, UsageRecording } from '@cognition/agent/contracts';
import { RecordAgentUsageCommandHandler } from './record-agent-usage.command-handler';

const call = (overrides: Partial<UsageRecording> = {}): UsageRecording => ({
  kind: 'model_call',
  name: 'echo',
  provider: 'echo',
  taskId: TASK,
  runId: RUN,
  tokensIn: 100,
  tokensOut: 50,
  costUsd: 0.01,
  durationMs: 1500,
  ...overrides,
});

describe('RecordAgentUsageCommandHandler', () => {
  async function setup() {
    const unit = await agentUnitModule(RecordAgentUsageCommandHandler);
    const agent = agentIn('reasoning');
    unit.agents.rows.set(agent.id, { ...agent.toState(), budgetLimits: { maxTokens: 500, maxCostUsd: 1, maxTimeSeconds: 300, maxToolExecutions: 2 } });
    return { ...unit, handler: unit.moduleRef.get(RecordAgentUsageCommandHandler), agentId: agent.id };
  }

  it('adds to the totals, warns once at 80% and refuses what would pass a limit with BUDGET_EXCEEDED', async () => {
    const { handler, ledger, agentId } = await setup();
    expect(await handler.execute(new RecordAgentUsageCommand(TENANT, agentId, call()))).toEqual({
      entryId: expect.any(String),
      usage: { tokensUsed: 150, costUsd: 0.01, timeSeconds: 1.5, toolExecutions: 0 },
    });
    await handler.execute(new RecordAgentUsageCommand(TENANT, agentId, call({ tokensIn: 200, tokensOut: 50 })));
    const refused = handler.execute(new RecordAgentUsageCommand(TENANT, agentId, call({ tokensIn: 101, tokensOut: 0 })));
    await expect(refused).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', errors: [{ path: 'budgetLimits.maxTokens', code: 'BUDGET_EXCEEDED', message: '400 of 500 used' }] });
    expect(ledger.entries).toHaveLength(2);
    expect(ledger.publishedEvents.map((e) => e.type)).toEqual(['AgentApproachingBudgetLimit', 'AgentBudgetExceeded']);
    expect(ledger.publishedEvents[1].payload).toMatchObject({ limit: 'tokens', refused: { tokens: 101 }, usage: { tokensUsed: 400 } });
  });

  it('counts a failed tool call as a tool execution', async () => {
    const { handler, agentId } = await setup();
    const tool = call({ kind: 'tool_call', name: 'http_fetch', tokensIn: 0, tokensOut: 0, costUsd: 0, status: 'failed', error: { code: 'HTTP_ERROR', message: 'boom' } });
    expect((await handler.execute(new RecordAgentUsageCommand(TENANT, agentId, tool))).usage.toolExecutions).toBe(1);
    await handler.execute(new RecordAgentUsageCommand(TENANT, agentId, tool));
    await expect(handler.execute(new RecordAgentUsageCommand(TENANT, agentId, tool))).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
  });

  it('refuses bad amounts, unknown agents and another tenant’s agent', async () => {
    const { handler, agentId } = await setup();
    await expect(handler.execute(new RecordAgentUsageCommand(TENANT, agentId, call({ tokensIn: -1, costUsd: Number.NaN, taskId: 'x' })))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path: 'taskId' }), expect.objectContaining({ path: 'tokensIn' }), expect.objectContaining({ path: 'costUsd' })],
    });
    await expect(handler.execute(new RecordAgentUsageCommand(OTHER_TENANT, agentId, call()))).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
  });
});
