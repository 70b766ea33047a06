import { Client, Notification, Pool } from 'pg';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';
import { createTestDatabase, TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { ExecutionPlan } from '../domain/execution-plan';
import { ExecutionInputsCache } from './execution-inputs-cache';
import { insertExecution, NewExecution, STEPS_CHANNEL, StartClaim, StartResult } from './execution-starter';
import { sqlOf } from './sql';

const A = '00000000-0000-7000-8000-0000000000c1';
const WORKER = 'start-claims-worker';
const one = new ExecutionPlan(A, 'one', '1.0.0', [stepDefinition('a'), stepDefinition('b', ['a'])], null, null);
const twoRoots = new ExecutionPlan(A, 'two', '1.0.0', [stepDefinition('a'), stepDefinition('b')], null, null);

describe('a start that claims for the worker of its process (cognitionos_start_execution, real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let listener: Client;
  const notified: Notification[] = [];

  const execution = (plan: ExecutionPlan, idempotencyKey: string | null = null): NewExecution => ({
    tenantId: A,
    plan,
    inputs: { n: 1 },
    triggeredBy: 'api',
    idempotencyKey,
    requestHash: idempotencyKey ? 'hash' : null,
    parentExecutionId: null,
    parentStepExecutionId: null,
  });
  const claim = (limit: number): StartClaim => ({ workerId: WORKER, limit, leaseSeconds: 60, tenantMaxRunningSteps: 100, inputs: new ExecutionInputsCache() });
  const created = (r: StartResult) => {
    if (!r.created) throw new Error('expected a new execution');
    return r;
  };
  const steps = async (executionId: string): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await pool.query(`SELECT step_id, status, lease_owner FROM step_executions WHERE execution_id = $1`, [executionId])).rows.map((r) => [r.step_id, `${r.status}/${r.lease_owner ?? '-'}`]),
    );
  const events = async (executionId: string) =>
    (await pool.query(`SELECT type, payload->>'workerId' AS worker FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [executionId])).rows.map((r) =>
      r.worker ? `${r.type}:${r.worker}` : r.type,
    );
  /** The wake-ups sent so far: notifications arrive in commit order, so a marker sent last ends the wait. */
  async function wakeUpsSent(): Promise<number> {
    await pool.query(`SELECT pg_notify('${STEPS_CHANNEL}', 'marker')`);
    const deadline = Date.now() + 10_000;
    while (!notified.some((n) => n.payload === 'marker')) {
      if (Date.now() > deadline) throw new Error('the marker notification did not arrive');
      await new Promise((r) => setTimeout(r, 10));
    }
    return notified.findIndex((n) => n.payload === 'marker');
  }

  beforeAll(async () => {
    db = await createTestDatabase('start_claims');
    pool = new Pool({ ...TEST_DB, database: db.name, max: 4 });
    await pool.query(`INSERT INTO tenants (id, name) VALUES ($1, 'a')`, [A]);
    listener = new Client({ ...TEST_DB, database: db.name });
    await listener.connect();
    listener.on('notification', (n) => {
      if (n.channel === STEPS_CHANNEL) notified.push(n);
    });
    await listener.query(`LISTEN ${STEPS_CHANNEL}`);
  });
  afterAll(async () => {
    await listener.end();
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query(`TRUNCATE workflow_executions, step_executions, domain_events, tenant_quotas, tenant_claim_bounds CASCADE`);
    notified.length = 0;
  });

  it('claims the roots for the worker in the start itself, with their StepExecutionStarted events, and wakes no one when it took all that was due', async () => {
    const result = created(await insertExecution(sqlOf(pool), execution(one), claim(5)));

    expect(result.claimed.map((c) => [c.executionId, c.stepId, c.attempt, c.claimedFrom, c.inputs])).toEqual([[result.id, 'a', 1, 'pending', { n: 1 }]]);
    expect(result.drained).toBe(true);
    expect(await steps(result.id)).toEqual({ a: `running/${WORKER}`, b: 'pending/-' });
    expect(await events(result.id)).toEqual(['WorkflowExecutionStarted', `StepExecutionStarted:${WORKER}`]);
    expect(await wakeUpsSent()).toBe(0);
  });

  it('writes the claimed roots as running when nothing is queued: attempt 1, leased, with the payload the fair claim writes, and the running bound raised', async () => {
    const result = created(await insertExecution(sqlOf(pool), execution(twoRoots), claim(5)));

    expect(result.claimed.map((c) => [c.stepId, c.attempt, c.inputs])).toEqual([
      ['a', 1, { n: 1 }],
      ['b', 1, { n: 1 }],
    ]);
    const rows = (
      await pool.query(
        `SELECT step_id, attempt, lease_expires_at > now() + interval '50 seconds' AS leased, started_at IS NOT NULL AS started
         FROM step_executions WHERE execution_id = $1 ORDER BY step_id`,
        [result.id],
      )
    ).rows;
    expect(rows).toEqual([
      { step_id: 'a', attempt: 1, leased: true, started: true },
      { step_id: 'b', attempt: 1, leased: true, started: true },
    ]);
    const payloads = (await pool.query(`SELECT payload FROM domain_events WHERE type = 'StepExecutionStarted' ORDER BY position`)).rows.map((r) => r.payload);
    expect(payloads).toEqual(
      result.claimed.map((c) => ({ executionId: result.id, stepExecutionId: c.id, stepId: c.stepId, itemIndex: null, type: c.type, attempt: 1, workerId: WORKER })),
    );
    expect((await pool.query(`SELECT running_bound FROM tenant_claim_bounds WHERE tenant_id = $1`, [A])).rows).toEqual([{ running_bound: 2 }]);
    expect(await wakeUpsSent()).toBe(0);
  });

  it("does not let a start jump the queue: with a step of the tenant due, the fair claim takes the oldest, and the new root waits", async () => {
    const older = created(await insertExecution(sqlOf(pool), execution(one)));

    const result = created(await insertExecution(sqlOf(pool), execution(one), claim(1)));

    expect(result.claimed.map((c) => c.executionId)).toEqual([older.id]);
    expect(await steps(older.id)).toEqual({ a: `running/${WORKER}`, b: 'pending/-' });
    expect(await steps(result.id)).toEqual({ a: 'pending/-', b: 'pending/-' });
  });

  it("goes through the fair claim when another tenant has steps queued, which then gets its turn", async () => {
    const B = '00000000-0000-7000-8000-0000000000c2';
    await pool.query(`INSERT INTO tenants (id, name) VALUES ($1, 'b') ON CONFLICT DO NOTHING`, [B]);
    const other = created(await insertExecution(sqlOf(pool), { ...execution(one), tenantId: B }));

    const result = created(await insertExecution(sqlOf(pool), execution(one), claim(5)));

    expect(result.claimed.map((c) => c.executionId).sort()).toEqual([other.id, result.id].sort());
  });

  it("holds the tenant's cap on the direct path: with its one slot taken, the next start claims nothing", async () => {
    await pool.query(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, 1)`, [A]);
    const first = created(await insertExecution(sqlOf(pool), execution(one), claim(5)));
    expect(first.claimed).toHaveLength(1);

    const second = created(await insertExecution(sqlOf(pool), execution(one), claim(5)));

    expect(second.claimed).toEqual([]);
    expect(await steps(second.id)).toEqual({ a: 'pending/-', b: 'pending/-' });
  });

  it('wakes the other workers when the claim filled its room: more may be due', async () => {
    const result = created(await insertExecution(sqlOf(pool), execution(twoRoots), claim(1)));

    expect(result.claimed.map((c) => c.stepId)).toHaveLength(1);
    expect(result.drained).toBe(false);
    expect(Object.values(await steps(result.id)).sort()).toEqual(['pending/-', `running/${WORKER}`]);
    expect(await wakeUpsSent()).toBe(1);
  });

  it("claims nothing for a tenant at its cap (the fair claim's cap holds), and the step waits in the queue", async () => {
    await pool.query(`INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, 0)`, [A]);

    const result = created(await insertExecution(sqlOf(pool), execution(one), claim(5)));

    expect(result).toMatchObject({ claimed: [], drained: true });
    expect(await steps(result.id)).toEqual({ a: 'pending/-', b: 'pending/-' });
    expect(await events(result.id)).toEqual(['WorkflowExecutionStarted']);
  });

  it('claims nothing and writes nothing when the idempotency key was used before', async () => {
    const first = created(await insertExecution(sqlOf(pool), execution(one, 'key-1')));
    const again = await insertExecution(sqlOf(pool), execution(one, 'key-1'), claim(5));

    expect(again).toEqual({ created: false, id: first.id, requestHash: 'hash' });
    expect(await steps(first.id)).toEqual({ a: 'pending/-', b: 'pending/-' });
    expect((await pool.query(`SELECT count(*)::int AS n FROM workflow_executions`)).rows[0].n).toBe(1);
  });

  it('without a claim, writes the execution with its roots pending and wakes the workers, as before', async () => {
    const result = created(await insertExecution(sqlOf(pool), execution(one)));

    expect(result).toMatchObject({ claimed: [], drained: false });
    expect(await steps(result.id)).toEqual({ a: 'pending/-', b: 'pending/-' });
    expect(await wakeUpsSent()).toBe(1);
  });
});
