import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequestStepType } from '@cognition/engine/step-types/http-request';
import { start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

/** The body of the README's first `POST /workflows` (the summarize-ticket workflow), verbatim. */
function readmeWorkflow(): Record<string, unknown> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const match = /-d '(\{\s*"id": "summarize-ticket"[\s\S]*?\})'/.exec(readme);
  if (!match) throw new Error('README.md has no summarize-ticket workflow example');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

interface Sent {
  method: string;
  url: string;
  body: unknown;
}

/**
 * The README's first workflow runs as written: `http_request` to api.example.com (answered here, the
 * host resolving to a public address), an `agent_task` with `instructions` whose step `agentRole`
 * picks the summarizer agent (echo model), and the conditional notify call.
 */
describe("the README's first workflow (agent_task with instructions and agentRole)", () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  const sent: Sent[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    t = await startTestApp('readme_agent', {
      MODEL_PROVIDER: 'echo',
      HTTP_STEP_ALLOWED_HOSTS: 'api.example.com,hooks.example.com',
      AGENT_POLL_MS: '100',
      AGENT_HEALTH_INTERVAL_MS: '3600000',
      OUTBOX_POLL_MS: '100',
    });
    api = apiClient(t.url, t.key);
    // example.com is documentation-only: resolve it to its public address and answer its requests here.
    jest.spyOn(t.app.get(HttpRequestStepType) as unknown as { resolveHost: () => Promise<unknown> }, 'resolveHost').mockResolvedValue([{ address: '93.184.215.14', family: 4 }]);
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!url.hostname.endsWith('example.com')) return realFetch(input, init);
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : null;
      sent.push({ method: init?.method ?? 'GET', url: url.href, body });
      if (url.hostname === 'api.example.com') {
        return Response.json({ id: url.pathname.split('/').pop(), subject: 'Printer on fire', body: 'The office printer is on fire again.' });
      }
      return new Response(null, { status: 204 });
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  async function agentOf(name: string, role: string): Promise<string> {
    const definition = await api('POST', '/api/v3/agent-definitions', { body: { name, role, modelConfig: { provider: 'echo', model: 'echo' } } });
    expect(definition.status).toBe(201);
    const agent = await api('POST', '/api/v3/agents', { body: { definitionId: definition.body.id } });
    expect(agent.status).toBe(201);
    return agent.body.id as string;
  }

  it('creates, activates and runs it to completed, the task going to the agent of the step’s role', async () => {
    // Created first, so without the role preference this idle agent would be matched (least recently active, then id).
    const reasoner = await agentOf('thinker', 'reasoner');
    const summarizer = await agentOf('summarizer', 'summarizer');

    const created = await api('POST', '/api/v3/workflows', { body: readmeWorkflow() });
    expect(created.status).toBe(201);
    expect(created.body.steps[1]).toMatchObject({ id: 'summarize', type: 'agent_task', agentRole: 'summarizer', params: { instructions: 'Summarize the ticket' } });
    expect((await api('POST', '/api/v3/workflows/summarize-ticket/versions/1.0.0/activate')).status).toBe(200);

    const started = await start(api, 'summarize-ticket', { ticketId: 'T-42', notify: true });
    expect(started.status).toBe(202);
    const execution = await waitForExecution(api, started.body.id, ['completed', 'failed', 'cancelled'], 30_000);
    expect(execution.error).toBeNull();
    expect(execution.status).toBe('completed');
    expect(execution.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status]).sort()).toEqual([
      ['fetch', 'completed'],
      ['notify', 'completed'],
      ['summarize', 'completed'],
    ]);

    const summarize = (await until(
      () => api('GET', `/api/v3/executions/${started.body.id}`).then((r) => r.body.steps.find((s: { stepId: string }) => s.stepId === 'summarize')),
      (s) => !!s.taskId,
      'summarize step linked to its task',
    )) as { taskId: string; agentId: string; output: unknown };
    const task = (await api('GET', `/api/v3/tasks/${summarize.taskId}`)).body;
    expect(task).toMatchObject({ status: 'completed', description: 'Summarize the ticket', preferredRole: 'summarizer', assignedAgentId: summarizer });
    expect(task.input).toEqual({ id: 'T-42', subject: 'Printer on fire', body: 'The office printer is on fire again.' });
    expect(summarize.agentId).toBe(summarizer);
    expect(summarize.agentId).not.toBe(reasoner);

    expect(sent.map((s) => [s.method, s.url])).toEqual([
      ['GET', 'https://api.example.com/tickets/T-42'],
      ['POST', 'https://hooks.example.com/x'],
    ]);
    expect(sent[1].body).toEqual({ text: summarize.output });
    expect(typeof summarize.output === 'string' ? summarize.output : JSON.stringify(summarize.output)).toContain('Summarize the ticket');
  });
});
