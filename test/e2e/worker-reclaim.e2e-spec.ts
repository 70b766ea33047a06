import { DataSource } from 'typeorm';
import { activeWorkflow, start, testServer, TestServer } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

/**
 * After an outage longer than the lease, the reaper makes a step pending while its first attempt
 * still runs, and the same worker can claim it again (attempt 2). The worker then runs two attempts
 * of one step: both must count against its slots, and both must get the execution's cancel.
 */
describe('a worker that claims a step again while its first attempt still runs', () => {
  let t: TestApp;
  let http: TestServer;

  beforeAll(async () => {
    http = await testServer();
    t = await startTestApp('reclaim', { HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*', WORKER_POLL_MS: '100', SCHEDULER_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
    await http?.close();
  });

  it('aborts both attempts when the execution is cancelled', async () => {
    const api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'long', steps: [{ id: 's', type: 'http_request', params: { url: `${http.url}/slow?ms=120000`, timeoutMs: 120000 } }] });
    const started = await start(api, 'long');
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await until(async () => http.requests.length, (n) => n === 1, 'requests of the first attempt');

    // What the reaper does to a step whose lease ran out (an outage longer than LEASE_SECONDS).
    const db = t.app.get(DataSource);
    await db.query(`UPDATE step_executions SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, available_at = now() WHERE execution_id = $1`, [id]);
    await db.query(`SELECT pg_notify('cognitionos_steps', '')`);
    await until(async () => http.requests.length, (n) => n === 2, 'requests of both attempts');
    const [row] = await db.query(`SELECT status, attempt FROM step_executions WHERE execution_id = $1`, [id]);
    expect(row).toEqual({ status: 'running', attempt: 2 });

    const cancelled = await api('POST', `/api/v3/executions/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    await until(async () => http.requests.map((r) => r.aborted), (a) => a.every(Boolean), 'aborted requests', 10_000);
  });
});
