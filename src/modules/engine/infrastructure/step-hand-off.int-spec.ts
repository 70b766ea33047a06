import { Client, Pool } from 'pg';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';
import { createTestDatabase, TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { until } from '@cognition/test-support/wait';
import { ExecutionPlan } from '../domain/execution-plan';
import { insertExecutions } from './execution-starter';
import { sqlOf } from './sql';
import { claimSteps, ClaimedStep } from './step-claims';
import { EagerClaim } from './eager-dispatch';
import { writeStepResults, WriteOutcome } from './step-results.writer';
import { completeSteps } from './step-completions';

const A = '00000000-0000-7000-8000-0000000000a1';
const B = '00000000-0000-7000-8000-0000000000a2';
const WORKER = 'hand-off-worker';
const chain = (tenant: string) => new ExecutionPlan(tenant, 'chain', '1.0.0', [stepDefinition('a'), stepDefinition('b', ['a'])], null, null);
const fanIn = (tenant: string) =>
  new ExecutionPlan(tenant, 'fan-in', '1.0.0', [stepDefinition('a'), stepDefinition('b'), stepDefinition('c', ['a', 'b'])], null, null);
const single = (tenant: string) => new ExecutionPlan(tenant, 'single', '1.0.0', [stepDefinition('a')], null, null);
const fan = (tenant: string) =>
  new ExecutionPlan(tenant, 'fan', '1.0.0', [stepDefinition('a'), stepDefinition('b', ['a']), stepDefinition('c', ['a']), stepDefinition('d', ['a'])], null, null);

// Both writers: the statement-per-step transaction and the one-statement path for completed steps.
describe.each([
  ['statements in a transaction', 'statements'],
  ['cognitionos_complete_steps, one statement', 'function'],
] as const)('eager dispatch after a write: hand-off of unlocked steps (real PostgreSQL), %s', (_title, writer) => {
  let db: TestDatabase;
  let pool: Pool;
  const sql = () => sqlOf(pool);

  /** Starts one execution of `plan` and claims its first step `a` as WORKER. */
  async function startAndClaimA(plan: ExecutionPlan): Promise<ClaimedStep> {
    const [executionId] = await insertExecutions(sql(), plan.tenantId, plan, [{}]);
    const [claim] = (await claimSteps(sql(), WORKER, 10, 60)).filter((c) => c.executionId === executionId);
    expect(claim).toMatchObject({ stepId: 'a' });
    return claim;
  }

  /** Completes `claim` in one transaction, as the result batcher does. */
  async function complete(claim: ClaimedStep, plan: ExecutionPlan, eager: EagerClaim): Promise<WriteOutcome> {
    if (writer === 'function') return completeSteps(sql(), WORKER, [{ kind: 'completed', claim, plan, output: { ok: true } }], eager);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const outcome = await writeStepResults(sqlOf(client), WORKER, [{ kind: 'completed', claim, plan, output: { ok: true } }], eager);
      await client.query('COMMIT');
      return outcome;
    } finally {
      client.release();
    }
  }

  /** `write`'s outcome, and how many NOTIFYs on the steps channel it committed (a marker sent after it ends the count). */
  async function notificationsOf(write: () => Promise<WriteOutcome>): Promise<{ outcome: WriteOutcome; sent: number }> {
    const listener = new Client({ ...TEST_DB, database: db.name });
    await listener.connect();
    try {
      const got: string[] = [];
      listener.on('notification', (n) => got.push(n.payload ?? ''));
      await listener.query(`LISTEN cognitionos_steps`);
      const outcome = await write();
      await pool.query(`SELECT pg_notify('cognitionos_steps', 'end')`);
      await until(async () => got, (g) => g.includes('end'), 'the marker NOTIFY', 5_000);
      return { outcome, sent: got.indexOf('end') };
    } finally {
      await listener.end();
    }
  }

  const status = async (executionId: string): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await pool.query(`SELECT step_id, status, lease_owner, attempt FROM step_executions WHERE execution_id = $1 ORDER BY step_id`, [executionId])).rows.map((r) => [
        r.step_id,
        `${r.status}/${r.lease_owner ?? '-'}/${r.attempt}`,
      ]),
    );
  const started = async (executionId: string) =>
    (await pool.query(`SELECT payload->>'stepId' AS step FROM domain_events WHERE aggregate_id = $1 AND type = 'StepExecutionStarted' ORDER BY position`, [executionId])).rows.map((r) => r.step);

  beforeAll(async () => {
    db = await createTestDatabase(`step_hand_off_${writer}`);
    pool = new Pool({ ...TEST_DB, database: db.name, max: 4 });
    await pool.query(`INSERT INTO tenants (id, name) VALUES ($1, 'a'), ($2, 'b')`, [A, B]);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query(`TRUNCATE workflow_executions, step_executions, domain_events, tenant_quotas, tenant_claim_bounds CASCADE`);
  });

  it("hands a chain's next link to the worker that completed its dependency, started, without waking anyone", async () => {
    const plan = chain(A);
    const a = await startAndClaimA(plan);

    const outcome = await complete(a, plan, { limit: 5, leaseSeconds: 60, backlog: false });

    expect(outcome.claimed.map((c) => [c.stepId, c.attempt, c.claimedFrom])).toEqual([['b', 1, 'pending']]);
    expect(outcome).toMatchObject({ notify: false, drained: false });
    expect(await status(a.executionId)).toEqual({ a: 'completed/-/1', b: `running/${WORKER}/1` });
    expect(await started(a.executionId)).toEqual(['a', 'b']);
  });

  it("leaves another tenant's queued step to the claims through the queue when no backlog is known, and takes it when one is", async () => {
    const plan = chain(A);
    const a = await startAndClaimA(plan);
    const [other] = await insertExecutions(sql(), B, chain(B), [{}]);

    const handedOff = await complete(a, plan, { limit: 5, leaseSeconds: 60, backlog: false });
    expect(handedOff.claimed.map((c) => c.stepId)).toEqual(['b']);
    expect(await status(other)).toEqual({ a: 'pending/-/0', b: 'pending/-/0' });

    await pool.query(`TRUNCATE workflow_executions, step_executions, domain_events CASCADE`);
    const a2 = await startAndClaimA(plan);
    const [other2] = await insertExecutions(sql(), B, chain(B), [{}]);
    const throughQueue = await complete(a2, plan, { limit: 5, leaseSeconds: 60, backlog: true });
    expect(throughQueue.claimed.map((c) => [c.tenantId, c.stepId])).toEqual([
      [A, 'b'],
      [B, 'a'],
    ]);
    expect(throughQueue).toMatchObject({ drained: true, notify: false });
    expect(await status(other2)).toEqual({ a: `running/${WORKER}/1`, b: 'pending/-/0' });
  });

  it('hands off no more steps than the results freed slots; the rest go through the fair claim', async () => {
    const plan = fan(A);
    const a = await startAndClaimA(plan);

    const outcome = await complete(a, plan, { limit: 10, leaseSeconds: 60, backlog: false, tenantMaxRunningSteps: 2 });

    // One slot freed: one step handed off; then the fair claim fills the tenant's cap of 2.
    expect(outcome.claimed).toHaveLength(2);
    const rows = await status(a.executionId);
    expect(Object.values(rows).filter((s) => s.startsWith('running'))).toHaveLength(2);
    expect(Object.values(rows).filter((s) => s.startsWith('pending'))).toHaveLength(1);
  });

  it('does not hand off to a tenant with a quota row (a paused tenant stays paused)', async () => {
    const plan = chain(A);
    const a = await startAndClaimA(plan);
    await pool.query(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, 0)`, [A]);

    const outcome = await complete(a, plan, { limit: 5, leaseSeconds: 60, backlog: false });

    expect(outcome.claimed).toEqual([]);
    expect(await status(a.executionId)).toEqual({ a: 'completed/-/1', b: 'pending/-/0' });

    // Resumed: the step is claimed through the queue as any other.
    await pool.query(`UPDATE tenant_quotas SET max_running_steps = 1 WHERE tenant_id = $1`, [A]);
    expect((await claimSteps(sql(), WORKER, 5, 60)).map((c) => c.stepId)).toEqual(['b']);
  });

  it("has this worker claim again when a completion frees a capped tenant's slot, though nothing was unlocked and no backlog is known", async () => {
    const plan = single(A);
    const [first, second] = await insertExecutions(sql(), A, plan, [{}, {}]);
    // A cap of 1: the claim takes one and stops short; the worker then knows of no backlog.
    const claims = await claimSteps(sql(), WORKER, 10, 60, 1);
    expect(claims.map((c) => c.executionId)).toEqual([first]);

    const { outcome, sent } = await notificationsOf(() => complete(claims[0], plan, { limit: 5, leaseSeconds: 60, backlog: false, tenantMaxRunningSteps: 1 }));

    // Not claimed in the write (its claim lock is held): this worker claims after the commit
    // (`notify`); it has room for the freed slot, so the others are not woken.
    expect(outcome).toMatchObject({ claimed: [], notify: true });
    expect(sent).toBe(0);
    expect((await claimSteps(sql(), WORKER, 5, 60, 1)).map((c) => [c.executionId, c.stepId])).toEqual([[second, 'a']]);
  });

  it("has this worker claim again when a completion only counts down a fan-in of a capped tenant (its slot is not handed off)", async () => {
    const [join] = await insertExecutions(sql(), A, fanIn(A), [{}]);
    const [queued] = await insertExecutions(sql(), A, single(A), [{}]);
    // A cap of 2: a and b of the fan-in run; the single step waits.
    const claims = await claimSteps(sql(), WORKER, 10, 60, 2);
    expect(claims.map((c) => c.stepId).sort()).toEqual(['a', 'b']);

    const a = claims.find((c) => c.stepId === 'a')!;
    const outcome = await complete(a, fanIn(A), { limit: 5, leaseSeconds: 60, backlog: false, tenantMaxRunningSteps: 2 });

    expect(outcome).toMatchObject({ claimed: [], notify: true });
    expect(await status(join)).toEqual({ a: 'completed/-/1', b: `running/${WORKER}/1`, c: 'pending/-/0' });
    expect((await claimSteps(sql(), WORKER, 5, 60, 2)).map((c) => [c.executionId, c.stepId])).toEqual([[queued, 'a']]);
  });

  it("holds a capped tenant's claim lock to its commit: a start in flight that counted the completing step as running is seen by the wake-up", async () => {
    const plan = single(A);
    await insertExecutions(sql(), A, plan, [{}, {}]);
    const claims = await claimSteps(sql(), WORKER, 10, 60, 2);
    expect(claims).toHaveLength(2);

    // A start and its claim, not committed yet: the claim counts both steps running, stops at the cap
    // and holds the tenant's claim lock.
    const start = await pool.connect();
    try {
      await start.query('BEGIN');
      const [late] = await insertExecutions(sqlOf(start), A, plan, [{}]);
      expect(await claimSteps(sqlOf(start), 'starting-worker', 10, 60, 2)).toEqual([]);

      // The completion waits for that lock: it cannot commit between the start's count and its commit.
      const completion = complete(claims[0], plan, { limit: 5, leaseSeconds: 60, backlog: false, tenantMaxRunningSteps: 2 });
      const settled = completion.then(() => true, () => true);
      // Locks of this database only: other suites' databases may share the server.
      const waiting = async () =>
        Number(
          (await pool.query(`SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`))
            .rows[0].count,
        );
      // Until it waits (or, without the lock, has already finished).
      await until(async () => (await Promise.race([settled, Promise.resolve(false)])) || (await waiting()) > 0, Boolean, 'the completion waiting or done', 5_000);
      expect(await waiting()).toBe(1);
      await start.query('COMMIT');

      // Committed after the start: the claim after it (this worker's) finds the start's step.
      expect(await completion).toMatchObject({ notify: true });
      expect((await claimSteps(sql(), WORKER, 5, 60, 2)).map((c) => c.executionId)).toEqual([late]);
    } finally {
      await start.query('ROLLBACK').catch(() => undefined);
      start.release();
    }
  });

  it('wakes the other workers when a completion frees a capped tenant\'s slot and this worker has no room', async () => {
    const plan = single(A);
    const [first, second] = await insertExecutions(sql(), A, plan, [{}, {}]);
    const [claim] = await claimSteps(sql(), WORKER, 10, 60, 1);
    expect(claim.executionId).toBe(first);

    const { outcome, sent } = await notificationsOf(() => complete(claim, plan, { limit: 0, leaseSeconds: 60, backlog: false, tenantMaxRunningSteps: 1 }));

    expect(outcome).toMatchObject({ claimed: [], notify: true });
    expect(sent).toBe(1);
    expect(await status(second)).toEqual({ a: 'pending/-/0' });
  });

  it('claims nothing and wakes nobody when the completed step\'s tenant was below its cap', async () => {
    const plan = single(A);
    const [first, second] = await insertExecutions(sql(), A, plan, [{}, {}]);
    const claims = await claimSteps(sql(), WORKER, 1, 60, 5);
    expect(claims.map((c) => c.executionId)).toEqual([first]);

    const outcome = await complete(claims[0], plan, { limit: 5, leaseSeconds: 60, backlog: false, tenantMaxRunningSteps: 5 });

    expect(outcome).toMatchObject({ claimed: [], notify: false });
    expect(await status(second)).toEqual({ a: 'pending/-/0' });
  });

  it('hands off nothing when the worker has no room, and wakes the others instead', async () => {
    const plan = chain(A);
    const a = await startAndClaimA(plan);

    const outcome = await complete(a, plan, { limit: 0, leaseSeconds: 60, backlog: false });

    expect(outcome).toMatchObject({ claimed: [], notify: true });
    expect(await status(a.executionId)).toEqual({ a: 'completed/-/1', b: 'pending/-/0' });
  });
});
