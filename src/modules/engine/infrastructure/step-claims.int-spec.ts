import { Pool } from 'pg';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';
import { createTestDatabase, TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { ExecutionPlan } from '../domain/execution-plan';
import { insertExecutions } from './execution-starter';
import { sqlOf } from './sql';
import { ExecutionInputsCache } from './execution-inputs-cache';
import { claimSteps, ClaimedStep, handBackUnstarted, releaseLeases, lockTenantsAtCap } from './step-claims';

const A = '00000000-0000-7000-8000-00000000c1a1';
const B = '00000000-0000-7000-8000-00000000c1b1';
const C = '00000000-0000-7000-8000-00000000c1c1';
const CAP = 1000;
const single = (tenant: string) => new ExecutionPlan(tenant, 'one', '1.0.0', [stepDefinition('a')], null, null);
// `b` depends on `a`: only `a` is runnable at first.
const chain = (tenant: string) => new ExecutionPlan(tenant, 'two', '1.0.0', [stepDefinition('a'), stepDefinition('b', ['a'])], null, null);

describe('claimSteps: fair across tenants, capped per tenant (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const sql = () => sqlOf(pool);

  async function enqueue(tenant: string, n: number, plan = single(tenant)): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 2000) ids.push(...(await insertExecutions(sql(), tenant, plan, Array.from({ length: Math.min(2000, n - i) }, () => ({})))));
    return ids;
  }

  const running = async (tenant: string) =>
    Number((await pool.query(`SELECT count(*) AS n FROM step_executions WHERE tenant_id = $1 AND status = 'running'`, [tenant])).rows[0].n);

  const setQuota = (tenant: string, max: number) =>
    pool.query(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET max_running_steps = $2`, [tenant, max]);

  /** `workers` claimers side by side, each on its own connection, claiming `batch` at a time until a claim comes back empty. */
  async function claimConcurrently(workers: number, batch: number, cap = CAP): Promise<ClaimedStep[][]> {
    return Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const mine: ClaimedStep[] = [];
        for (;;) {
          const got = await claimSteps(sql(), `worker-${w}`, batch, 60, cap);
          if (got.length === 0) return mine;
          mine.push(...got);
        }
      }),
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase('step_claims');
    pool = new Pool({ ...TEST_DB, database: db.name, max: 12 });
    await pool.query(`INSERT INTO tenants (id, name) VALUES ($1, 'a'), ($2, 'b'), ($3, 'c')`, [A, B, C]);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query(`TRUNCATE workflow_executions, step_executions, domain_events, tenant_quotas, tenant_claim_bounds CASCADE`);
  });

  it("serves a tenant with 3 due steps in the same claim as another tenant's 5,000 older ones", async () => {
    await enqueue(A, 5000);
    const bExecutions = await enqueue(B, 3);

    const claimed = await claimSteps(sql(), 'w1', 10, 60, CAP);

    expect(claimed).toHaveLength(10);
    expect(claimed.filter((c) => c.tenantId === B).map((c) => c.executionId).sort()).toEqual([...bExecutions].sort());
    // Round robin: B's steps are interleaved with A's, not left for the end of the batch.
    expect(claimed.slice(0, 6).filter((c) => c.tenantId === B)).toHaveLength(3);
    for (const c of claimed) {
      expect(c).toMatchObject({ claimedFrom: 'pending', attempt: 1, stepId: 'a', workflowId: 'one', workflowVersion: '1.0.0', inputs: {} });
    }
    const events = await pool.query(`SELECT count(*) AS n FROM domain_events WHERE type = 'StepExecutionStarted'`);
    expect(Number(events.rows[0].n)).toBe(10);
  });

  it('serves the least loaded tenant first, even one step at a time', async () => {
    await enqueue(A, 200);
    await claimSteps(sql(), 'w1', 20, 60, CAP); // A now has 20 running
    await enqueue(B, 2);

    const next = await claimSteps(sql(), 'w1', 1, 60, CAP);
    expect(next.map((c) => c.tenantId)).toEqual([B]);
    // B (1 running) is still less loaded than A (20 running).
    expect((await claimSteps(sql(), 'w1', 1, 60, CAP)).map((c) => c.tenantId)).toEqual([B]);
    expect((await claimSteps(sql(), 'w1', 1, 60, CAP)).map((c) => c.tenantId)).toEqual([A]);
  });

  it('never hands one step to two of several workers claiming side by side', async () => {
    await enqueue(A, 1500);
    await enqueue(B, 300);
    await enqueue(C, 200);

    const byWorker = await claimConcurrently(8, 25, 10_000);

    const ids = byWorker.flat().map((c) => c.id);
    expect(ids).toHaveLength(2000);
    expect(new Set(ids).size).toBe(2000);
    const owners = await pool.query(`SELECT lease_owner, count(*) AS n FROM step_executions WHERE status = 'running' GROUP BY lease_owner`);
    expect(Object.fromEntries(owners.rows.map((r) => [r.lease_owner, Number(r.n)]))).toEqual(
      Object.fromEntries(byWorker.map((mine, w) => [`worker-${w}`, mine.length]).filter(([, n]) => n)),
    );
  });

  it('holds the per-tenant cap (default and override) across several concurrent claimers', async () => {
    await enqueue(A, 400);
    await enqueue(B, 400);
    await enqueue(C, 400);
    await setQuota(A, 7);
    await setQuota(C, 0); // paused

    const byWorker = await claimConcurrently(8, 5, 30);

    expect(await running(A)).toBe(7);
    expect(await running(B)).toBe(30);
    expect(await running(C)).toBe(0);
    expect(byWorker.flat()).toHaveLength(37);

    // A step of A finishing makes room for exactly one more.
    await pool.query(`UPDATE step_executions SET status = 'completed', lease_owner = NULL, lease_expires_at = NULL WHERE id = (SELECT id FROM step_executions WHERE tenant_id = $1 AND status = 'running' LIMIT 1)`, [A]);
    const more = await claimConcurrently(4, 3, 30);
    expect(more.flat().map((c) => c.tenantId)).toEqual([A]);
    expect(await running(A)).toBe(7);

    // A raised override takes effect on the next claim.
    await setQuota(A, 10);
    expect((await claimSteps(sql(), 'w1', 20, 60, 30)).map((c) => c.tenantId)).toEqual([A, A, A]);
  });

  it('holds the cap of a lone tenant (the one-tenant path) across several concurrent claimers', async () => {
    await enqueue(A, 300);
    await setQuota(A, 13);

    const byWorker = await claimConcurrently(8, 5, 30);

    expect(await running(A)).toBe(13);
    expect(byWorker.flat()).toHaveLength(13);
    expect(new Set(byWorker.flat().map((c) => c.id)).size).toBe(13);
    // Oldest first, in the order they became due.
    const [first] = byWorker.filter((mine) => mine.length > 0);
    const due = first.map((c) => c.availableAt.getTime());
    expect(due).toEqual([...due].sort((a, b) => a - b));
  });

  it("keeps a lone tenant's cap with its bound of running steps: counted again once steps finished, and by a claim of several tenants", async () => {
    await enqueue(A, 100);
    await setQuota(A, 30);
    const bound = async () => (await pool.query(`SELECT running_bound FROM tenant_claim_bounds WHERE tenant_id = $1`, [A])).rows[0]?.running_bound;

    expect(await claimSteps(sql(), 'w', 10, 60)).toHaveLength(10);
    expect(await claimSteps(sql(), 'w', 10, 60)).toHaveLength(10);
    expect(await bound()).toBe(20);
    // Eight of them finish: the bound (20) still says 20, and leaves room for this batch of 10 …
    await pool.query(`UPDATE step_executions SET status = 'completed' WHERE id IN (SELECT id FROM step_executions WHERE tenant_id = $1 AND status = 'running' LIMIT 8)`, [A]);
    expect(await claimSteps(sql(), 'w', 10, 60)).toHaveLength(10);
    expect(await bound()).toBe(30);
    expect(await running(A)).toBe(22);
    // … the next claim finds no room in the bound, counts (22) and takes the 8 that fit.
    expect(await claimSteps(sql(), 'w', 10, 60)).toHaveLength(8);
    expect(await running(A)).toBe(30);
    expect(await bound()).toBe(30);
    expect(await claimSteps(sql(), 'w', 10, 60)).toEqual([]);

    // A claim of several tenants counts the tenants it serves again, under their locks: each bound is
    // then exact (A: 25 running + the 5 it took).
    await enqueue(B, 5);
    await pool.query(`UPDATE step_executions SET status = 'completed' WHERE id IN (SELECT id FROM step_executions WHERE tenant_id = $1 AND status = 'running' LIMIT 5)`, [A]);
    expect((await claimSteps(sql(), 'w', 20, 60)).length).toBe(10);
    expect(await running(A)).toBe(30);
    expect(await bound()).toBe(30);
  });

  it('writes the bound of a tenant a claim of several tenants finds at its cap, so a write that frees its slots wakes the workers for it', async () => {
    await enqueue(A, 10);
    await setQuota(A, 2);
    expect(await claimSteps(sql(), 'w', 2, 60)).toHaveLength(2);
    const bound = async () => (await pool.query(`SELECT running_bound FROM tenant_claim_bounds WHERE tenant_id = $1`, [A])).rows[0]?.running_bound;
    await pool.query(`DELETE FROM tenant_claim_bounds`);

    await enqueue(B, 3);
    const claimed = await claimSteps(sql(), 'w', 10, 60);

    expect(claimed.map((c) => c.tenantId)).toEqual([B, B, B]);
    expect(await running(A)).toBe(2);
    expect(await bound()).toBe(2);
    expect(await lockTenantsAtCap(sql(), [A])).toBe(true);
    expect(await lockTenantsAtCap(sql(), [B])).toBe(false);
  });

  it('counts every claim of the tenant against its cap, whichever path made it (own or eager claim)', async () => {
    await enqueue(A, 50);
    expect(await claimSteps(sql(), 'eager-worker', 3, 60, 4)).toHaveLength(3);
    expect(await claimSteps(sql(), 'eager-worker', 10, 60, 4)).toHaveLength(1);
    expect(await running(A)).toBe(4);
  });

  it("sends an execution's inputs once while the worker's cache holds them, and reads them again once dropped", async () => {
    const inputs = { items: Array.from({ length: 50 }, (_, i) => i) };
    await insertExecutions(sql(), A, single(A), [inputs, inputs, inputs]);
    const cache = new ExecutionInputsCache(2);
    const sent = async (known: string[]) =>
      (await pool.query(`SELECT execution_id, inputs FROM cognitionos_claim_steps('w', 10, 60, 30, $1::uuid[])`, [known])).rows;

    const first = await claimSteps(sql(), 'w', 2, 60, 30, cache);
    expect(first.map((c) => c.inputs)).toEqual([inputs, inputs]);
    expect(cache.known().sort()).toEqual(first.map((c) => c.executionId).sort());

    // The database sends no inputs for executions the worker holds.
    await pool.query(`UPDATE step_executions SET status = 'pending', lease_owner = NULL WHERE status = 'running'`);
    const rows = await sent(cache.known());
    expect(rows.filter((r) => cache.known().includes(r.execution_id)).map((r) => r.inputs)).toEqual([null, null]);
    expect(rows.filter((r) => !cache.known().includes(r.execution_id)).map((r) => r.inputs)).toEqual([inputs]);

    // A claim whose cache dropped an execution meanwhile reads its inputs again.
    await pool.query(`UPDATE step_executions SET status = 'pending', lease_owner = NULL WHERE status = 'running'`);
    const forgetful = new ExecutionInputsCache(1);
    forgetful.set(first[0].executionId, inputs);
    const known = forgetful.known.bind(forgetful);
    jest.spyOn(forgetful, 'known').mockImplementation(() => {
      const ids = known();
      forgetful.set('00000000-0000-7000-8000-00000000ffff', {}); // evicts first[0]'s execution after the claim was asked
      return ids;
    });
    const again = await claimSteps(sql(), 'w', 10, 60, 30, forgetful);
    expect(again).toHaveLength(3);
    expect(again.map((c) => c.inputs)).toEqual([inputs, inputs, inputs]);
  });

  it('claims waiting steps whose wake-up came, and only those', async () => {
    await enqueue(A, 3);
    await enqueue(B, 1);
    const [sleeping] = await claimSteps(sql(), 'w1', 1, 60, CAP);
    const wait = (ids: string[], at: string) =>
      pool.query(
        `UPDATE step_executions SET status = 'waiting', wait_kind = 'timer', wait_key = 't', resume = '{"reason":"timer"}',
           lease_owner = NULL, lease_expires_at = NULL, available_at = now() + $2::interval WHERE id = ANY($1::uuid[])`,
        [ids, at],
      );
    await wait([sleeping.id], '1 hour');
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM step_executions WHERE status = 'pending' ORDER BY id LIMIT 2`);
    const woken = rows.map((r) => r.id);
    await wait(woken, '-1 second');

    const claimed = await claimSteps(sql(), 'w2', 10, 60, CAP);

    expect(claimed).toHaveLength(3);
    expect(claimed.map((c) => c.id)).not.toContain(sleeping.id);
    const resumed = claimed.filter((c) => c.claimedFrom === 'waiting');
    expect(resumed.map((c) => c.id).sort()).toEqual([...woken].sort());
    for (const c of resumed) expect(c).toMatchObject({ waitKind: 'timer', waitKey: 't', resume: { reason: 'timer' }, attempt: 0 }); // the same attempt
    expect(claimed.filter((c) => c.claimedFrom === 'pending').map((c) => c.attempt)).toEqual([1]);
    // StepExecutionStarted for first starts only: the first claim's and the pending one's.
    const events = await pool.query(`SELECT count(*) AS n FROM domain_events WHERE type = 'StepExecutionStarted'`);
    expect(Number(events.rows[0].n)).toBe(2);
  });

  it('does not claim steps whose dependencies are not done, nor steps not yet due', async () => {
    await enqueue(A, 2, chain(A));
    await pool.query(`UPDATE step_executions SET available_at = now() + interval '1 hour' WHERE step_id = 'a' AND execution_id = (SELECT execution_id FROM step_executions LIMIT 1)`);
    const claimed = await claimSteps(sql(), 'w1', 10, 60, CAP);
    expect(claimed).toHaveLength(1);
    expect(claimed[0].stepId).toBe('a');
  });

  it('hands back unstarted claims and releases leases; both count against the cap no more', async () => {
    await enqueue(A, 10);
    const claimed = await claimSteps(sql(), 'w1', 6, 60, 6);
    expect(claimed).toHaveLength(6);
    expect(await claimSteps(sql(), 'w2', 6, 60, 6)).toEqual([]);

    expect(await handBackUnstarted(sql(), 'w1', claimed.slice(0, 3))).toBe(3);
    expect(await releaseLeases(sql(), 'w1', claimed.slice(3, 5).map((c) => c.id))).toBe(2);
    // Not ours: nothing happens.
    expect(await releaseLeases(sql(), 'w2', [claimed[5].id])).toBe(0);
    const rows = await pool.query(`SELECT id, status, attempt, lease_owner FROM step_executions WHERE id = ANY($1::uuid[])`, [claimed.map((c) => c.id)]);
    const byId = new Map(rows.rows.map((r) => [r.id as string, r]));
    for (const c of claimed.slice(0, 3)) expect(byId.get(c.id)).toMatchObject({ status: 'pending', attempt: 0, lease_owner: null });
    for (const c of claimed.slice(3, 5)) expect(byId.get(c.id)).toMatchObject({ status: 'pending', attempt: 1, lease_owner: null });
    expect(byId.get(claimed[5].id)).toMatchObject({ status: 'running', lease_owner: 'w1' });

    const again = await claimSteps(sql(), 'w2', 10, 60, 6);
    expect(again).toHaveLength(5);
    expect(await running(A)).toBe(6);
  });
});
