import { StepExecutionSkipped, StepExecutionStarted, WorkflowExecutionStarted } from '@cognition/engine/contracts/execution.events';
import { AgentBudgetExceeded, AgentCompletedTask, AgentModelCalled, AgentToolFailed } from '@cognition/agent/contracts/agent.events';
import { TaskCreated, TaskFailed } from '@cognition/task/contracts/task.events';
import { WorkflowCreated } from '@cognition/workflow/contracts/workflow.events';
import { projectSpans, TRACED_EVENTS } from './span-projection';

const T = '00000000-0000-7000-8000-000000000001';
const at = new Date('2026-01-01T00:00:10.000Z');
const usage = { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 };

describe('projectSpans', () => {
  it('names a workflow span <workflowId>@<version> and links a sub-workflow to its parent', () => {
    const e = new WorkflowExecutionStarted(T, 'ex2', { executionId: 'ex2', workflowId: 'child', workflowVersion: '1.2.0', triggeredBy: 'parent', parentExecutionId: 'ex1' }, at);
    e.metadata = { id: 'x', position: '42', txId: '7', correlationId: null };
    expect(projectSpans(e)).toEqual([
      expect.objectContaining({ tenantId: T, type: 'workflow', entityId: 'ex2', name: 'child@1.2.0', parent: { type: 'workflow', entityId: 'ex1' }, status: 'running', startedAt: at, at, position: '42' }),
    ]);
  });

  it('names forEach items stepId[i], keeps attempt and step type, and turns a skip into a cancelled span with the reason', () => {
    const base = { executionId: 'ex1', stepExecutionId: 'se1', stepId: 'fetch', itemIndex: 3, type: 'http_request', attempt: 2 };
    const [started] = projectSpans(new StepExecutionStarted(T, 'ex1', base, at));
    expect(started).toMatchObject({ type: 'step', entityId: 'se1', name: 'fetch[3]', parent: { type: 'workflow', entityId: 'ex1' }, status: 'running', metadata: { attempt: 2, stepType: 'http_request' } });
    const [skipped] = projectSpans(new StepExecutionSkipped(T, 'ex1', { ...base, itemIndex: null, reason: 'UPSTREAM_FAILED' }, at));
    expect(skipped).toMatchObject({ name: 'fetch', status: 'cancelled', error: { reason: 'UPSTREAM_FAILED' }, completedAt: at });
  });

  it('makes a task without a step a root, and a retried failure keeps the task running', () => {
    const task = { taskId: 'tk1', name: 'summarize', attempt: 1, workflowExecutionId: null, stepExecutionId: null };
    const [created] = projectSpans(new TaskCreated(T, 'tk1', { ...task, priority: 'high', requiredCapabilities: [], dependencies: [], input: { q: 1 } }, at));
    expect(created).toMatchObject({ type: 'task', name: 'summarize', status: 'pending', inputs: { q: 1 } });
    expect(created.parent).toBeUndefined();
    const [retrying] = projectSpans(new TaskFailed(T, 'tk1', { ...task, agentId: 'a1', error: { code: 'X', message: 'x' }, willRetry: true }, at));
    expect(retrying).toMatchObject({ status: 'running', metadata: { lastError: { code: 'X', message: 'x' } } });
    expect(retrying.error).toBeUndefined();
    const [failed] = projectSpans(new TaskFailed(T, 'tk1', { ...task, agentId: 'a1', error: { code: 'X', message: 'x' }, willRetry: false }, at));
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'X', message: 'x' }, completedAt: at });
  });

  it('times model and tool calls from their payload, under the run span', () => {
    const run = { agentId: 'a1', taskId: 'tk1', runId: 'r1' };
    const [model] = projectSpans(
      new AgentModelCalled(T, 'a1', { ...run, callId: 'c1', provider: 'echo', model: 'echo-1', tokensIn: 10, tokensOut: 5, costUsd: 0.001, startedAt: '2026-01-01T00:00:01.000Z', durationMs: 250, finishReason: 'stop' }, at),
    );
    expect(model).toMatchObject({
      type: 'model_call',
      entityId: 'c1',
      parent: { type: 'agent_action', entityId: 'r1' },
      status: 'completed',
      startedAt: new Date('2026-01-01T00:00:01.000Z'),
      completedAt: new Date('2026-01-01T00:00:01.250Z'),
      metadata: { provider: 'echo', model: 'echo-1', tokensIn: 10, tokensOut: 5, costUsd: 0.001, finishReason: 'stop' },
    });
    const [tool] = projectSpans(new AgentToolFailed(T, 'a1', { ...run, callId: 'c2', tool: 'http_fetch', arguments: { url: 'x' }, error: { code: 'PERMISSION_DENIED', message: 'no' }, startedAt: 'not a date', durationMs: 0 }, at));
    expect(tool).toMatchObject({ type: 'tool_call', name: 'http_fetch', status: 'failed', inputs: { url: 'x' }, error: { code: 'PERMISSION_DENIED', message: 'no' }, startedAt: at });
  });

  it('derives a run’s start from its reported duration, and flags a budget overrun only when it names a run', () => {
    const [done] = projectSpans(new AgentCompletedTask(T, 'a1', { agentId: 'a1', taskId: 'tk1', runId: 'r1', durationMs: 4000 }, at));
    expect(done).toMatchObject({ type: 'agent_action', name: 'agent a1', parent: { type: 'task', entityId: 'tk1' }, status: 'completed', startedAt: new Date('2026-01-01T00:00:06.000Z') });
    const exceeded = (runId: string | null) =>
      projectSpans(new AgentBudgetExceeded(T, 'a1', { agentId: 'a1', taskId: 'tk1', runId, limit: 'tokens', refused: { tokens: 1, costUsd: 0, timeSeconds: 0, toolExecutions: 0 }, usage }, at));
    expect(exceeded('r1')).toEqual([expect.objectContaining({ entityId: 'r1', metadata: expect.objectContaining({ budgetExceeded: true, budgetLimit: 'tokens' }) })]);
    expect(exceeded('r1')[0].status).toBeUndefined();
    expect(exceeded(null)).toEqual([]);
  });

  it('ignores events it does not trace, and drops writes whose payload lacks the entity id', () => {
    expect(TRACED_EVENTS.map((e) => e.name)).toContain('AgentToolExecuted');
    expect(projectSpans(new WorkflowCreated(T, 'wf', {} as never, at))).toEqual([]);
    expect(projectSpans(new StepExecutionStarted(T, 'ex1', { executionId: 'ex1' } as never, at))).toEqual([]);
  });
});
