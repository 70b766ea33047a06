import { activeWorkflow, start, testServer, TestServer, waitForExecution } from '../support/engine-helpers';
import { startOpenAiFakeServer } from '../support/fakes/openai-fake-server';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

type FakeOpenAi = Awaited<ReturnType<typeof startOpenAiFakeServer>>;
type Api = ReturnType<typeof apiClient>;


function spans(node: any): any[] {
  return [node, ...(node.children ?? []).flatMap(spans)];
}

describe('agentic workflows over HTTP (OpenAI-compatible fake server)', () => {
  let ctx: TestApp;
  let api: Api;
  let model: FakeOpenAi;
  let data: TestServer;

  beforeAll(async () => {
    model = await startOpenAiFakeServer();
    data = await testServer();
    ctx = await startTestApp('agentic', {
      MODEL_PROVIDER: 'openai',
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: 'sk-test',
      MODEL_MAX_RETRIES: '0',
      HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
      AGENT_POLL_MS: '100',
      AGENT_HEALTH_INTERVAL_MS: '3600000',
      OUTBOX_POLL_MS: '100',
    });
    api = apiClient(ctx.url, ctx.key);
  });

  afterAll(async () => {
    await ctx?.close();
    await model?.close();
    await data?.close();
  });

  async function definition(body: Record<string, unknown>): Promise<any> {
    const res = await api('POST', '/api/v3/agent-definitions', { body: { role: 'reasoner', modelConfig: { provider: 'openai', model: 'gpt-4o-mini' }, ...body } });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function agent(definitionId: string, extra: Record<string, unknown> = {}): Promise<any> {
    const res = await api('POST', '/api/v3/agents', { body: { definitionId, ...extra } });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function task(body: Record<string, unknown>): Promise<any> {
    const res = await api('POST', '/api/v3/tasks', { body: { name: 'job', ...body } });
    expect(res.status).toBe(201);
    return res.body;
  }

  const finished = (id: string) =>
    until(
      () => api('GET', `/api/v3/tasks/${id}`).then((r) => r.body),
      (t) => ['completed', 'failed', 'cancelled'].includes(t.status),
      `task ${id}`,
    );

  async function traceOf(entityId: string, type: string, settled: (root: any) => boolean): Promise<any> {
    return until(
      async () => {
        const list = await api('GET', `/api/v3/traces?entityId=${entityId}&type=${type}`);
        if (!list.body.items?.length) return null;
        return (await api('GET', `/api/v3/traces/${list.body.items[0].id}`)).body;
      },
      (root) => !!root && settled(root),
      `trace of ${type} ${entityId}`,
    );
  }

  it('runs a workflow with two agent_task steps, one using a tool, and traces every span', async () => {
    const researcher = await definition({ name: 'researcher', tools: ['http_fetch'], capabilities: ['research'] });
    await definition({ name: 'writer', role: 'summarizer', capabilities: ['writing'], failureStrategy: 'abort' });
    const researchAgent = await agent(researcher.id, { permissions: ['http'] });
    await activeWorkflow(api, {
      id: 'research-and-write',
      steps: [
        { id: 'research', type: 'agent_task', params: { agent: 'researcher', instructions: `Find the facts. [[tool:http_fetch {"url":"${data.url}/facts"}]]` } },
        {
          id: 'write',
          type: 'agent_task',
          dependsOn: ['research'],
          params: {
            agent: 'writer',
            instructions: 'Summarise what research found: ${{ steps.research.output.text }} [[answer:{"summary":"facts summarised"}]]',
            outputSchema: { type: 'object', required: ['summary'], properties: { summary: { type: 'string' } } },
          },
        },
      ],
      outputs: { research: '${{ steps.research.output }}', summary: '${{ steps.write.output.summary }}' },
    });
    const started = await start(api, 'research-and-write');
    expect(started.status).toBe(202);
    const execution = await waitForExecution(api, started.body.id, ['completed', 'failed', 'cancelled'], 30_000);
    expect(execution.status).toBe('completed');
    expect(execution.outputs.summary).toBe('facts summarised');
    expect(execution.outputs.research.text).toContain('/facts');
    expect(data.requests.map((r) => r.path)).toContain('/facts');
    // The signals that carry task outcomes are reserved: a client cannot forge one.
    const forged = await api('POST', `/api/v3/executions/${started.body.id}/signals/task:${started.body.id}`, { body: { status: 'completed' } });
    expect(forged.status).toBe(400);
    const researchStep = (await until(
      () => api('GET', `/api/v3/executions/${started.body.id}`).then((r) => r.body.steps.find((s: any) => s.stepId === 'research')),
      (s) => !!s.agentId,
      'research step linked to its task',
    )) as any;
    expect(researchStep.agentId).toBe(researchAgent.id);
    expect((await api('GET', `/api/v3/tasks/${researchStep.taskId}`)).body).toMatchObject({ status: 'completed', stepExecutionId: researchStep.id, workflowExecutionId: started.body.id });

    // The model saw the tool's result in the native tool message format.
    const toolTurn = model.requests.find((r) => r.body.messages.some((m: any) => m.role === 'tool'));
    expect(toolTurn?.body.messages.find((m: any) => m.role === 'tool')).toMatchObject({ tool_call_id: expect.any(String), content: expect.stringContaining('/facts') });

    // The trace is a projection of the outbox, eventually consistent: wait for the whole tree to be
    // projected (the workflow's completion comes after its agent actions, maybe in a later drain).
    const root = await traceOf(
      started.body.id,
      'workflow',
      (r) => r.status === 'completed' && spans(r).every((s) => s.status === 'completed') && spans(r).filter((s) => s.type === 'agent_action').length === 2,
    );
    const all = spans(root);
    expect(root).toMatchObject({ type: 'workflow', status: 'completed' });
    expect(root.children.map((s: any) => s.name).sort()).toEqual(['research', 'write']);
    const types = all.map((s) => s.type);
    for (const type of ['workflow', 'step', 'task', 'agent_action', 'model_call', 'tool_call']) expect(types).toContain(type);
    for (const span of all) {
      expect(span.status).toBe('completed');
      expect(typeof span.durationMs).toBe('number');
    }
    const step = root.children.find((s: any) => s.name === 'research');
    const taskSpan = step.children[0];
    expect(taskSpan.type).toBe('task');
    const action = taskSpan.children[0];
    expect(action.type).toBe('agent_action');
    expect(action.children.map((s: any) => s.type).sort()).toEqual(['model_call', 'model_call', 'tool_call']);

    // The agent's totals, its ledger and the trace agree.
    const usage = (await api('GET', `/api/v3/agents/${researchAgent.id}/usage`)).body;
    const modelSpans = spans(step).filter((s) => s.type === 'model_call');
    const traced = modelSpans.reduce((sum, s) => sum + s.metadata.tokensIn + s.metadata.tokensOut, 0);
    expect(usage.budgetUsage.tokensUsed).toBe(usage.ledgerTotals.tokensIn + usage.ledgerTotals.tokensOut);
    expect(usage.budgetUsage.tokensUsed).toBe(traced);
    expect(usage.budgetUsage.toolExecutions).toBe(1);
    expect(usage.ledgerTotals).toMatchObject({ modelCalls: 2, toolCalls: 1 });
    expect(root.totals.tokensIn + root.totals.tokensOut).toBeGreaterThanOrEqual(traced);
    expect(root.totals).toMatchObject({ modelCalls: 3, toolCalls: 1 });
  });

  it('fails the task and the workflow step with BUDGET_EXCEEDED when the agent runs out of budget, counting nothing', async () => {
    await definition({ name: 'tiny', capabilities: ['tiny'], defaultBudget: { maxTokens: 5 } });
    await activeWorkflow(api, { id: 'over-budget', steps: [{ id: 'think', type: 'agent_task', params: { agent: 'tiny', instructions: 'Write a very long essay about everything.' } }] });
    const started = await start(api, 'over-budget');
    const execution = await waitForExecution(api, started.body.id, ['completed', 'failed', 'cancelled'], 30_000);
    expect(execution.status).toBe('failed');
    expect(execution.steps[0].error.code).toBe('BUDGET_EXCEEDED');
    const tasks = (await api('GET', `/api/v3/tasks?workflowExecutionId=${started.body.id}`)).body.items;
    expect(tasks[0]).toMatchObject({ status: 'failed', error: { code: 'BUDGET_EXCEEDED' } });
    const usage = (await api('GET', `/api/v3/agents/${tasks[0].assignedAgentId}/usage`)).body;
    expect(usage.budgetUsage.tokensUsed).toBe(0);
    expect(usage.entries).toHaveLength(0);
  });

  describe('failure strategies', () => {
    const unavailable = { status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } };

    it('retry: the same agent retries the task in place until an attempt succeeds', async () => {
      const def = await definition({ name: 'retrier', capabilities: ['retry-cap'], failureStrategy: 'retry' });
      model.enqueue(unavailable, unavailable);
      const t = await task({ agentDefinitionId: def.id, description: 'try hard', maxAttempts: 3 });
      const done = await finished(t.id);
      expect(done).toMatchObject({ status: 'completed', attempt: 3 });
    });

    it('retry: fails for good when the attempts run out', async () => {
      const def = await definition({ name: 'retrier-2', capabilities: ['retry-cap-2'], failureStrategy: 'retry' });
      model.enqueue(unavailable, unavailable);
      const t = await task({ agentDefinitionId: def.id, description: 'try', maxAttempts: 2 });
      expect(await finished(t.id)).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'MODEL_UNAVAILABLE' } });
    });

    it('abort: the first failure fails the task, whatever attempts remain', async () => {
      const def = await definition({ name: 'aborter', capabilities: ['abort-cap'], failureStrategy: 'abort' });
      model.enqueue(unavailable);
      const t = await task({ agentDefinitionId: def.id, description: 'once', maxAttempts: 3 });
      expect(await finished(t.id)).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'MODEL_UNAVAILABLE' } });
    });

    it('fallback: the failed attempt is retried once with the fallback model', async () => {
      const def = await definition({
        name: 'fallbacker',
        capabilities: ['fallback-cap'],
        failureStrategy: 'fallback',
        modelConfig: { provider: 'openai', model: 'primary-model', fallback: { provider: 'openai', model: 'backup-model' } },
      });
      model.enqueue(unavailable);
      const before = model.requests.length;
      const t = await task({ agentDefinitionId: def.id, description: 'use the backup' });
      expect(await finished(t.id)).toMatchObject({ status: 'completed', attempt: 2 });
      expect(model.requests.slice(before).map((r) => r.body.model)).toEqual(['primary-model', 'backup-model']);
    });

    it('fallback: a failure of the fallback model fails the task', async () => {
      const def = await definition({
        name: 'fallbacker-2',
        capabilities: ['fallback-cap-2'],
        failureStrategy: 'fallback',
        modelConfig: { provider: 'openai', model: 'primary-model', fallback: { provider: 'openai', model: 'backup-model' } },
      });
      model.enqueue(unavailable, unavailable);
      const t = await task({ agentDefinitionId: def.id, description: 'both fail' });
      expect(await finished(t.id)).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'MODEL_UNAVAILABLE' } });
    });
  });

  it('escalate: the task goes back to the queue for another agent of the pool', async () => {
    const def = await definition({ name: 'escalator', capabilities: ['escalate-cap'], failureStrategy: 'escalate' });
    const first = await agent(def.id);
    const second = await agent(def.id);
    model.enqueue({ status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } });
    const t = await task({ agentDefinitionId: def.id, description: 'someone else, please' });
    const done = await finished(t.id);
    expect(done).toMatchObject({ status: 'completed', attempt: 2 });
    expect(done.excludedAgentIds).toHaveLength(1);
    expect([first.id, second.id]).toContain(done.assignedAgentId);
    expect(done.assignedAgentId).not.toBe(done.excludedAgentIds[0]);
  });

  it('stops the agent run when the workflow execution is cancelled: the task is cancelled, the agent idle again', async () => {
    const def = await definition({ name: 'slow-thinker', capabilities: ['slow'] });
    const slow = await agent(def.id);
    model.enqueue({ delayMs: 1500 });
    await activeWorkflow(api, { id: 'cancel-me', steps: [{ id: 'think', type: 'agent_task', params: { agent: 'slow-thinker', instructions: 'Think slowly.' } }] });
    const started = await start(api, 'cancel-me');
    const running = await until(
      () => api('GET', `/api/v3/tasks?workflowExecutionId=${started.body.id}`).then((r) => r.body.items[0]),
      (t) => t?.status === 'in_progress',
      'task in progress',
    );
    expect((await api('POST', `/api/v3/executions/${started.body.id}/cancel`)).status).toBe(200);
    expect(await finished(running.id)).toMatchObject({ status: 'cancelled' });
    const idle = await until(
      () => api('GET', `/api/v3/agents/${slow.id}`).then((r) => r.body),
      (a) => a.status === 'idle' && a.currentTaskId === null && a.budgetUsage.tokensUsed > 0,
      'agent back to idle after the late answer',
    );
    expect(idle.status).toBe('idle');
  });

  it('refuses a tool the agent lacks the permission for, records it as a failed tool call, and never runs it', async () => {
    const def = await definition({ name: 'no-perms', capabilities: ['no-perms'], tools: ['http_fetch'] });
    const unprivileged = await agent(def.id);
    const before = data.requests.length;
    const t = await task({ agentDefinitionId: def.id, description: `Fetch it. [[tool:http_fetch {"url":"${data.url}/secret"}]]` });
    const done = await finished(t.id);
    expect(done.status).toBe('completed');
    expect(done.assignedAgentId).toBe(unprivileged.id);
    expect(data.requests.slice(before)).toHaveLength(0);
    const usage = (await api('GET', `/api/v3/agents/${unprivileged.id}/usage`)).body;
    const toolCall = usage.entries.find((e: any) => e.kind === 'tool_call');
    expect(toolCall).toMatchObject({ name: 'http_fetch', status: 'failed', error: { code: 'PERMISSION_DENIED' } });
    const root = await traceOf(t.id, 'task', (r) => spans(r).some((s) => s.type === 'tool_call'));
    expect(spans(root).find((s) => s.type === 'tool_call')).toMatchObject({ status: 'failed', error: { code: 'PERMISSION_DENIED' } });
  });
});
