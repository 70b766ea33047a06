import { Client } from 'pg';
import { startOpenAiFakeServer } from '../support/fakes/openai-fake-server';
import { apiClient } from '../support/http-client';
import { TEST_DB } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

/**
 * Shutdown with an agent run in progress that outlasts the grace (SPEC section 4, "Shutdown"): the
 * run is aborted and releases its task back to the queue at once, and its agent to idle, instead of
 * both waiting for stuck detection (AGENT_STUCK_SECONDS, 300 s here).
 */
describe('an agent run when its process shuts down', () => {
  let ctx: TestApp;
  let model: Awaited<ReturnType<typeof startOpenAiFakeServer>>;
  let db: Client;

  beforeAll(async () => {
    model = await startOpenAiFakeServer();
    ctx = await startTestApp('agent_shutdown', { OPENAI_BASE_URL: model.baseUrl, MODEL_MAX_RETRIES: '0', AGENT_POLL_MS: '100', SHUTDOWN_GRACE_SECONDS: '1', AGENT_STUCK_SECONDS: '300' });
    db = new Client({ ...TEST_DB, database: ctx.db.name });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await ctx?.db.drop();
    await model?.close();
  });

  it('requeues the task and frees the agent when the grace runs out', async () => {
    const api = apiClient(ctx.url, ctx.key);
    const def = await api('POST', '/api/v3/agent-definitions', {
      body: { name: 'slow', role: 'executor', capabilities: ['slow'], failureStrategy: 'abort', modelConfig: { provider: 'openai', model: 'gpt-4o-mini' } },
    });
    expect(def.status).toBe(201);
    model.enqueue({ delayMs: 60_000 });
    const task = (await api('POST', '/api/v3/tasks', { body: { name: 'slow', description: 'take your time', agentDefinitionId: def.body.id, maxAttempts: 3 } })).body;
    const running = await until(
      () => api('GET', `/api/v3/tasks/${task.id}`).then((r) => r.body),
      (t) => t.status === 'in_progress' && model.requests.length > 0,
      'the run to call the model',
    );
    await ctx.app.close();

    const { rows: tasks } = await db.query(`SELECT status, assigned_agent_id FROM tasks WHERE id = $1`, [task.id]);
    expect(tasks[0]).toEqual({ status: 'pending', assigned_agent_id: null });
    const { rows: requeued } = await db.query(`SELECT payload FROM domain_events WHERE aggregate_id = $1 AND type = 'TaskRequeued'`, [task.id]);
    expect(requeued).toHaveLength(1);
    const { rows: agents } = await db.query(`SELECT status, current_task_id FROM agents WHERE id = $1`, [running.assignedAgentId]);
    expect(agents[0]).toEqual({ status: 'idle', current_task_id: null });
    const { rows: failed } = await db.query(`SELECT payload->'error'->>'code' AS code FROM domain_events WHERE aggregate_id = $1 AND type = 'TaskFailed'`, [task.id]);
    expect(failed.map((r) => r.code)).toEqual(['WORKER_SHUTDOWN']);
  });
});
