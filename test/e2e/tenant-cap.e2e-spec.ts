import { activeWorkflow, start, testServer, TestServer } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { adminRows } from '../support/test-database';
import { until } from '../support/wait';

jest.setTimeout(120_000);

const RUNS = 10;

/**
 * A tenant held at its cap on running steps gets its next steps as soon as its running ones finish,
 * not at the next poll: the write of a result that frees a capped tenant's slot claims its queued
 * steps (migration 1764150900000-capped-tenant-wake-up). The poll is made longer than the test, so
 * only that wake-up can finish the runs.
 */
describe('a tenant at its cap (e2e)', () => {
  let t: TestApp;
  let http: TestServer;

  beforeAll(async () => {
    http = await testServer();
    t = await startTestApp('tenant_cap', { WORKER_POLL_MS: '60000', WORKER_CONCURRENCY: '10', HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*' });
  });
  afterAll(async () => {
    await t?.close();
    await http?.close();
  });

  it('runs its queued single-step executions as its running ones finish, never more than the cap at once', async () => {
    const api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'capped', steps: [{ id: 'work', type: 'http_request', params: { url: `${http.url}/slow?ms=50` } }] });
    await adminRows(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, 2)`, [t.tenantId], t.db.name);

    for (let i = 0; i < RUNS; i++) expect((await start(api, 'capped')).status).toBe(202);

    const statuses = () =>
      adminRows<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM workflow_executions GROUP BY status`, [], t.db.name);
    // A bound on waiting, not a timing: with the poll at 60 s, the runs finish only through the wake-up.
    await until(statuses, (rows) => rows.some((r) => r.status === 'completed' && r.n === RUNS), 'every execution completed', 45_000);

    // The cap held: no step started while two others of the tenant were running.
    const steps = await adminRows<{ started_at: Date; completed_at: Date }>(
      `SELECT started_at, completed_at FROM step_executions ORDER BY started_at`,
      [],
      t.db.name,
    );
    expect(steps).toHaveLength(RUNS);
    for (const s of steps) {
      const overlapping = steps.filter((o) => o.started_at <= s.started_at && o.completed_at > s.started_at);
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
  });
});
