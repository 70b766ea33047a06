import { Client } from 'pg';
import { startOpenAiFakeServer } from '../support/fakes/openai-fake-server';
import { apiClient } from '../support/http-client';
import { TEST_DB } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

type Api = ReturnType<typeof apiClient>;


describe('agent health jobs', () => {
  let ctx: TestApp;
  let api: Api;
  let model: Awaited<ReturnType<typeof startOpenAiFakeServer>>;
  let db: Client;

  beforeAll(async () => {
    model = await startOpenAiFakeServer();
    ctx = await startTestApp('agent_health', {
      OPENAI_BASE_URL: model.baseUrl,
      MODEL_MAX_RETRIES: '0',
      AGENT_POLL_MS: '100',
      AGENT_HEALTH_INTERVAL_MS: '250',
      AGENT_STUCK_SECONDS: '1',
      AGENT_IDLE_TIMEOUT_SECONDS: '1',
      AGENT_POOL_MIN: '1',
    });
    api = apiClient(ctx.url, ctx.key);
    db = new Client({ ...TEST_DB, database: ctx.db.name });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await ctx?.close();
    await model?.close();
  });

  async function definition(name: string): Promise<string> {
    const res = await api('POST', '/api/v3/agent-definitions', { body: { name, role: 'executor', capabilities: [name], failureStrategy: 'abort', modelConfig: { provider: 'openai', model: 'gpt-4o-mini' } } });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function eventsOf(agentId: string): Promise<string[]> {
    const { rows } = await db.query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [agentId]);
    return rows.map((r) => r.type);
  }

  it('marks an agent with no progress stuck, releases its task for retry, and recovers the agent', async () => {
    const definitionId = await definition('slowpoke');
    const agent = (await api('POST', '/api/v3/agents', { body: { definitionId } })).body;
    // The first model call hangs far longer than AGENT_STUCK_SECONDS; the retry answers at once.
    model.enqueue({ delayMs: 4000 });
    const task = (await api('POST', '/api/v3/tasks', { body: { name: 'slow', description: 'take your time', agentDefinitionId: definitionId, maxAttempts: 3 } })).body;
    const done = await until(
      () => api('GET', `/api/v3/tasks/${task.id}`).then((r) => r.body),
      (t) => t.status === 'completed',
      'task',
    );
    expect(done.attempt).toBeGreaterThanOrEqual(2);
    const events = await until(() => eventsOf(agent.id), (e) => e.includes('AgentRecovered'), 'agent events');
    expect(events).toEqual(expect.arrayContaining(['AgentStuck', 'AgentRecovered', 'AgentCompletedTask']));
    const { rows } = await db.query(`SELECT payload FROM domain_events WHERE aggregate_id = $1 AND type = 'TaskRequeued'`, [task.id]);
    expect(rows.map((r) => r.payload.reason)).toContain('stuck');
    // The late answer of the abandoned run did not complete the task a second time.
    const completions = await db.query(`SELECT count(*)::int AS n FROM domain_events WHERE aggregate_id = $1 AND type = 'TaskCompleted'`, [task.id]);
    expect(completions.rows[0].n).toBe(1);
  });

  it('terminates idle agents beyond the pool minimum, keeping the most recently active', async () => {
    const definitionId = await definition('idlers');
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await api('POST', '/api/v3/agents', { body: { definitionId } })).body);
    const agents = await until(
      () => api('GET', `/api/v3/agents?definitionId=${definitionId}`).then((r) => r.body.items),
      (items: any[]) => items.filter((a) => a.status === 'terminated').length === 2,
      'idle agents',
    );
    expect(agents.filter((a: any) => a.status === 'idle')).toHaveLength(1);
    const terminated = agents.find((a: any) => a.status === 'terminated');
    expect(await eventsOf(terminated.id)).toContain('AgentTerminated');
    expect(created).toHaveLength(3);
  });
});
