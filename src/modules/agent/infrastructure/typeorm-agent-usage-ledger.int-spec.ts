import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { agentIntegrationModule, AgentIntegrationModule } from '@cognition/test-support/mothers/agent-integration-module';
import { definitionInput, RUN, TASK } from '@cognition/test-support/mothers/agent.mother';
import { DomainError } from '@cognition/platform/domain';
import {
  Budget,
  GetAgentUsageQuery,
  InstantiateAgentCommand,
  RecordAgentUsageCommand,
  RegisterAgentDefinitionCommand,
  ResetAgentBudgetCommand,
  TerminateAgentCommand,
  UsageRecording,
} from '../contracts';

const TENANT = '00000000-0000-7000-8000-0000000000c1';

/** Budgets that cannot be overrun: concurrent recordings through the CommandBus, each its own transaction and connection. */
describe('RecordAgentUsageCommand against PostgreSQL (budget races)', () => {
  let m: AgentIntegrationModule;
  let commands: CommandBus;
  let ds: DataSource;

  beforeAll(async () => {
    m = await agentIntegrationModule('agent_ledger');
    commands = m.moduleRef.get(CommandBus);
    ds = m.moduleRef.get(DataSource);
  });
  afterAll(() => m?.close());

  let n = 0;
  async function agentWith(budget: Partial<Budget>): Promise<string> {
    n += 1;
    const definition = await commands.execute(new RegisterAgentDefinitionCommand(TENANT, definitionInput({ name: `budget-${n}` })));
    return (await commands.execute(new InstantiateAgentCommand(TENANT, definition.id, { budget }))).id;
  }

  const modelCall = (overrides: Partial<UsageRecording> = {}): UsageRecording => ({
    kind: 'model_call',
    name: 'echo',
    provider: 'echo',
    taskId: TASK,
    runId: RUN,
    tokensIn: 60,
    tokensOut: 40,
    costUsd: 0,
    durationMs: 0,
    ...overrides,
  });

  async function race(agentId: string, usage: UsageRecording, times = 50) {
    const results = await Promise.allSettled(Array.from({ length: times }, () => commands.execute(new RecordAgentUsageCommand(TENANT, agentId, usage))));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect((r.reason as DomainError).code).toBe('BUDGET_EXCEEDED');
    }
    const [row] = await ds.query(
      `SELECT tokens_used::int AS tokens, cost_usd::float8 AS cost, time_seconds::float8 AS time, tool_executions AS tools, budget_warned_at IS NOT NULL AS warned FROM agents WHERE id = $1`,
      [agentId],
    );
    const [ledger] = await ds.query(
      `SELECT count(*)::int AS rows, coalesce(sum(tokens_in + tokens_out), 0)::int AS tokens, coalesce(sum(cost_usd), 0)::float8 AS cost,
              count(*) FILTER (WHERE kind = 'tool_call')::int AS tools
       FROM agent_usage_ledger WHERE agent_id = $1`,
      [agentId],
    );
    const events = await ds.query(`SELECT type, count(*)::int AS n FROM domain_events WHERE aggregate_id = $1 AND type LIKE 'AgentBudget%' OR aggregate_id = $1 AND type = 'AgentApproachingBudgetLimit' GROUP BY type ORDER BY type`, [
      agentId,
    ]);
    return { accepted: accepted.length, refused: refused.length, row, ledger, events: Object.fromEntries(events.map((e: { type: string; n: number }) => [e.type, e.n])) };
  }

  it('tokens: 50 concurrent recordings of 100 tokens against 2000 → exactly 20 accepted, 30 refused, totals equal the ledger', async () => {
    const agentId = await agentWith({ maxTokens: 2000 });
    const r = await race(agentId, modelCall());
    expect({ accepted: r.accepted, refused: r.refused }).toEqual({ accepted: 20, refused: 30 });
    expect(r.row).toMatchObject({ tokens: 2000, warned: true });
    expect(r.ledger).toMatchObject({ rows: 20, tokens: 2000 });
    expect(r.events).toEqual({ AgentApproachingBudgetLimit: 1, AgentBudgetExceeded: 30 });
    const [exceeded] = await ds.query(`SELECT payload FROM domain_events WHERE aggregate_id = $1 AND type = 'AgentBudgetExceeded' LIMIT 1`, [agentId]);
    expect(exceeded.payload).toEqual({
      agentId,
      taskId: TASK,
      runId: RUN,
      limit: 'tokens',
      refused: { tokens: 100, costUsd: 0, timeSeconds: 0, toolExecutions: 0 },
      usage: { tokensUsed: 2000, costUsd: 0, timeSeconds: 0, toolExecutions: 0 },
    });
  });

  it('cost: 50 concurrent calls of 0.01 USD against 0.20 USD → 20 accepted', async () => {
    const agentId = await agentWith({ maxCostUsd: 0.2, maxTokens: 1_000_000 });
    const r = await race(agentId, modelCall({ tokensIn: 1, tokensOut: 1, costUsd: 0.01 }));
    expect({ accepted: r.accepted, refused: r.refused }).toEqual({ accepted: 20, refused: 30 });
    expect(r.row.cost).toBeCloseTo(0.2, 10);
    expect(r.ledger).toMatchObject({ rows: 20, tokens: 40 });
    expect(r.ledger.cost).toBeCloseTo(0.2, 10);
    expect(r.events).toEqual({ AgentApproachingBudgetLimit: 1, AgentBudgetExceeded: 30 });
  });

  it('tool executions: 50 concurrent tool calls (failed ones count) against 20 → 20 accepted', async () => {
    const agentId = await agentWith({ maxToolExecutions: 20 });
    const tool = modelCall({ kind: 'tool_call', name: 'http_fetch', provider: null, tokensIn: 0, tokensOut: 0, durationMs: 120, status: 'failed', error: { code: 'HTTP_ERROR', message: '500' } });
    const r = await race(agentId, tool);
    expect({ accepted: r.accepted, refused: r.refused }).toEqual({ accepted: 20, refused: 30 });
    expect(r.row).toMatchObject({ tools: 20, time: 2.4 });
    expect(r.ledger).toMatchObject({ rows: 20, tools: 20 });
    expect(r.events).toEqual({ AgentApproachingBudgetLimit: 1, AgentBudgetExceeded: 30 });
  });

  it('time: a call that would pass maxTimeSeconds is refused and counts nothing', async () => {
    const agentId = await agentWith({ maxTimeSeconds: 1 });
    await commands.execute(new RecordAgentUsageCommand(TENANT, agentId, modelCall({ durationMs: 999 })));
    await expect(commands.execute(new RecordAgentUsageCommand(TENANT, agentId, modelCall({ durationMs: 2 })))).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      errors: [expect.objectContaining({ path: 'budgetLimits.maxTimeSeconds' })],
    });
    const usage = await m.moduleRef.get(QueryBus).execute(new GetAgentUsageQuery(TENANT, agentId));
    expect(usage.budgetUsage).toEqual({ tokensUsed: 100, costUsd: 0, timeSeconds: 0.999, toolExecutions: 0 });
    expect(usage.ledgerTotals).toEqual({ tokensIn: 60, tokensOut: 40, costUsd: 0, durationMs: 999, modelCalls: 1, toolCalls: 0 });
    expect(usage.entries).toHaveLength(1);
    expect(usage.entries[0]).toMatchObject({ kind: 'model_call', name: 'echo', provider: 'echo', taskId: TASK, runId: RUN, status: 'succeeded', error: null });
  });

  it('a reset re-arms the budget and the 80% warning; the ledger keeps its rows', async () => {
    const agentId = await agentWith({ maxTokens: 100 });
    await commands.execute(new RecordAgentUsageCommand(TENANT, agentId, modelCall()));
    await expect(commands.execute(new RecordAgentUsageCommand(TENANT, agentId, modelCall({ tokensIn: 1, tokensOut: 0 })))).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    const reset = await commands.execute(new ResetAgentBudgetCommand(TENANT, agentId, { maxTokens: 200 }));
    expect(reset.budgetUsage.tokensUsed).toBe(0);
    await commands.execute(new RecordAgentUsageCommand(TENANT, agentId, modelCall({ tokensIn: 160, tokensOut: 0 })));
    const usage = await m.moduleRef.get(QueryBus).execute(new GetAgentUsageQuery(TENANT, agentId));
    expect(usage.budgetUsage.tokensUsed).toBe(160);
    expect(usage.ledgerTotals.tokensIn).toBe(220);
    const warnings = await ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE aggregate_id = $1 AND type = 'AgentApproachingBudgetLimit'`, [agentId]);
    expect(warnings[0].n).toBe(2);
  });

  it('refuses unknown, other-tenant and terminated agents without writing anything', async () => {
    const agentId = await agentWith({});
    await expect(commands.execute(new RecordAgentUsageCommand('00000000-0000-7000-8000-0000000000c2', agentId, modelCall()))).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    await expect(commands.execute(new RecordAgentUsageCommand(TENANT, 'not-a-uuid', modelCall()))).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    await commands.execute(new TerminateAgentCommand(TENANT, agentId));
    await expect(commands.execute(new RecordAgentUsageCommand(TENANT, agentId, modelCall()))).rejects.toMatchObject({ code: 'AGENT_TERMINATED' });
    const [ledger] = await ds.query(`SELECT count(*)::int AS n FROM agent_usage_ledger WHERE agent_id = $1`, [agentId]);
    expect(ledger.n).toBe(0);
  });
});
