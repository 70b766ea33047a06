import { activeWorkflow, start, testServer, TestServer } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { adminRows } from '../support/test-database';
import { until } from '../support/wait';

jest.setTimeout(120_000);

const RUNS = 10;

/**
 * A tenant held at its cap on running steps gets its next steps as soon as its running ones finish,
 * not at the next poll: the write of a result that frees a capped tenant's slot has its worker claim
 * the queued steps right after the commit (migrations 1764150900000-capped-tenant-wake-up and
 * 1764150920000-capped-tenant-lock). The poll is made longer than the test, so
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

    const sampler = runningSampler(t.db.name);
    let most: Record<string, number> = {};
    try {
      for (let i = 0; i < RUNS; i++) expect((await start(api, 'capped')).status).toBe(202);

      const statuses = () =>
        adminRows<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM workflow_executions GROUP BY status`, [], t.db.name);
      // A bound on waiting, not a timing: with the poll at 60 s, the runs finish only through the wake-up.
      await until(statuses, (rows) => rows.some((r) => r.status === 'completed' && r.n === RUNS), 'every execution completed', 45_000);
    } finally {
      most = await sampler.stop();
    }

    // The cap held in every snapshot taken meanwhile.
    expect(most[t.tenantId]).toBeGreaterThan(0);
    expect(most[t.tenantId]).toBeLessThanOrEqual(2);
  });

  it('does the same for several tenants at their caps at once (the claim that serves several tenants)', async () => {
    const tenants = [await t.newTenant('capped-a'), await t.newTenant('capped-b'), await t.newTenant('capped-c')];
    for (const tenant of tenants) {
      const api = apiClient(t.url, tenant.key);
      await activeWorkflow(api, { id: 'capped', steps: [{ id: 'work', type: 'http_request', params: { url: `${http.url}/slow?ms=50` } }] });
      await adminRows(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, 2)`, [tenant.tenantId], t.db.name);
    }
    const ids = tenants.map((x) => x.tenantId);

    const sampler = runningSampler(t.db.name);
    let most: Record<string, number> = {};
    try {
      await Promise.all(
        tenants.map(async (tenant) => {
          const api = apiClient(t.url, tenant.key);
          for (let i = 0; i < RUNS; i++) expect((await start(api, 'capped')).status).toBe(202);
        }),
      );

      const completed = () =>
        adminRows<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_executions WHERE tenant_id = ANY($1::uuid[]) AND status = 'completed'`, [ids], t.db.name);
      await until(completed, ([row]) => row.n === RUNS * tenants.length, 'every execution of the three tenants completed', 45_000);
    } finally {
      most = await sampler.stop();
    }

    for (const id of ids) expect(most[id]).toBeLessThanOrEqual(2);
  });
});

/**
 * Counts each tenant's running steps, snapshot after snapshot, until stopped; resolves with the most
 * seen per tenant. (A snapshot is what the cap is about: step timestamps are transaction start times,
 * and a claim that waited for a tenant's lock starts before the completions it then sees.)
 */
function runningSampler(database: string): { stop(): Promise<Record<string, number>> } {
  const most: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await adminRows<{ tenant_id: string; n: number }>(
        `SELECT tenant_id, count(*)::int AS n FROM step_executions WHERE status = 'running' GROUP BY tenant_id`,
        [],
        database,
      );
      for (const r of rows) most[r.tenant_id] = Math.max(most[r.tenant_id] ?? 0, r.n);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return most;
    },
  };
}
