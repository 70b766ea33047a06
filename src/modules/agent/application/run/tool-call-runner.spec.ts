import { AppConfig } from '@cognition/config/app-config';
import { AgentTool, AgentToolHandler, AgentView } from '../../contracts';
import { AgentMetrics } from '../agent-metrics';
import { AgentTools } from '../tools/agent-tools';
import { AgentRunSteps, Recorded } from './agent-run-steps';
import { ToolCallRunner } from './tool-call-runner';

@AgentTool('delete_records')
class DeleteRecords implements AgentToolHandler {
  readonly description = 'Deletes records';
  readonly parameters = { type: 'object', properties: { table: { type: 'string' } }, required: ['table'], additionalProperties: false };
  readonly requiredPermissions = ['db'];
  readonly destructive = true;
  readonly timeoutSeconds = 0.05;
  calls: unknown[] = [];
  hang = false;

  async execute(args: Record<string, unknown>): Promise<unknown> {
    this.calls.push(args);
    if (this.hang) await new Promise(() => undefined);
    return { deleted: 3 };
  }
}

const usage = { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 };

function setup() {
  const tool = new DeleteRecords();
  const discovery = { getProviders: () => [{ metatype: DeleteRecords, instance: tool }] };
  const tools = new AgentTools(discovery as never);
  tools.onModuleInit();
  const recorded: { tool: string; outcome: unknown }[] = [];
  const steps = {
    recordToolCall: async (_run: unknown, name: string, _args: unknown, _at: Date, _ms: number, outcome: unknown): Promise<Recorded> => {
      recorded.push({ tool: name, outcome });
      return { ok: true, entryId: 'e1', usage: { ...usage, toolExecutions: recorded.length } };
    },
    refuseBeforeCall: async () => undefined,
  } as unknown as AgentRunSteps;
  const config = { get: () => 30 } as unknown as AppConfig;
  const metrics = { toolCalls: { inc: () => undefined } } as unknown as AgentMetrics;
  const runner = new ToolCallRunner(tools, steps, config, metrics);
  const agent = (permissions: string[], overrides: Partial<AgentView> = {}) =>
    ({ id: 'a1', tools: ['delete_records'], grantedPermissions: permissions, budgetUsage: usage, budgetLimits: { maxTokens: 1, maxCostUsd: 1, maxTimeSeconds: 1, maxToolExecutions: 10 }, ...overrides }) as AgentView;
  const run = { tenantId: 't', agentId: 'a1', taskId: 'k1', runId: 'r1' };
  const call = (args: Record<string, unknown> = { table: 'users' }) => ({ id: 'c1', name: 'delete_records', arguments: args });
  return { tool, runner, agent, run, call, recorded, signal: new AbortController().signal };
}

describe('ToolCallRunner', () => {
  it('runs a tool when the agent holds its permissions and `destructive`, and records the call', async () => {
    const s = setup();
    const result = await s.runner.run(s.run, s.agent(['db', 'destructive']), s.call(), s.signal);
    expect(result).toMatchObject({ isError: false, content: '{"deleted":3}' });
    expect(s.tool.calls).toHaveLength(1);
    expect(s.recorded).toEqual([{ tool: 'delete_records', outcome: { result: { deleted: 3 } } }]);
  });

  it('refuses a destructive tool without the `destructive` permission: recorded as failed, never run', async () => {
    const s = setup();
    const result = await s.runner.run(s.run, s.agent(['db']), s.call(), s.signal);
    expect(result).toMatchObject({ isError: true, content: expect.stringContaining('PERMISSION_DENIED') });
    expect(s.tool.calls).toHaveLength(0);
    expect(s.recorded[0].outcome).toMatchObject({ error: { code: 'PERMISSION_DENIED', message: expect.stringContaining('destructive') } });
  });

  it('refuses arguments that do not match the tool schema, and a tool the agent does not have', async () => {
    const s = setup();
    await s.runner.run(s.run, s.agent(['db', 'destructive']), s.call({ table: 7 }), s.signal);
    await s.runner.run(s.run, s.agent(['db', 'destructive'], { tools: [] }), s.call(), s.signal);
    expect(s.recorded.map((r) => (r.outcome as { error: { code: string } }).error.code)).toEqual(['INVALID_ARGUMENTS', 'TOOL_NOT_FOUND']);
    expect(s.tool.calls).toHaveLength(0);
  });

  it('stops a tool at its own timeout', async () => {
    const s = setup();
    s.tool.hang = true;
    const result = await s.runner.run(s.run, s.agent(['db', 'destructive']), s.call(), s.signal);
    expect(result).toMatchObject({ isError: true, content: expect.stringContaining('TOOL_TIMEOUT') });
  });

  it('refuses any call once the tool-execution budget is used up', async () => {
    const s = setup();
    const spent = s.agent(['db', 'destructive'], { budgetUsage: { ...usage, toolExecutions: 10 } });
    await expect(s.runner.run(s.run, spent, s.call(), s.signal)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(s.tool.calls).toHaveLength(0);
  });
});
