import { Pool } from 'pg';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';
import { createTestDatabase, TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { ExecutionPlan } from '../domain/execution-plan';
import { insertExecutions } from './execution-starter';
import { sqlOf } from './sql';
import { claimSteps, ClaimedStep, reapExpiredLeases } from './step-claims';
import { completeSteps, completesInOneStatement } from './step-completions';
import { StepResult } from './step-result';
import { writeStepResults } from './step-results.writer';

const TENANT = '00000000-0000-7000-8000-0000000000c1';
const WORKER = 'completions-worker';
const diamond = new ExecutionPlan(
  TENANT,
  'diamond',
  '1.0.0',
  [stepDefinition('a'), stepDefinition('b', ['a']), stepDefinition('c', ['a']), stepDefinition('d', ['b', 'c'])],
  null,
  null,
);
const done = (claim: ClaimedStep, plan: ExecutionPlan, output: unknown): Extract<StepResult, { kind: 'completed' }> => ({ kind: 'completed', claim, plan, output });

describe('cognitionos_complete_steps: a batch of completed steps in one statement (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const sql = () => sqlOf(pool);

  /** The statement-per-step writer, in one transaction, as the result batcher runs it. */
  async function writeInTransaction(results: StepResult[]): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await writeStepResults(sqlOf(client), WORKER, results);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  /** Runs one execution of the diamond to its end with `write`, claiming through the queue; returns its step rows, execution and events. */
  async function runDiamond(write: (results: Extract<StepResult, { kind: 'completed' }>[]) => Promise<unknown>) {
    const [executionId] = await insertExecutions(sql(), TENANT, diamond, [{ n: 1 }]);
    for (let round = 0; round < 5; round++) {
      const claims = (await claimSteps(sql(), WORKER, 10, 60)).filter((c) => c.executionId === executionId);
      if (claims.length === 0) break;
      await write(claims.map((c) => done(c, diamond, { step: c.stepId, list: [1, 'two', null] })));
    }
    const steps = (await pool.query(`SELECT step_id, status, output, attempt, lease_owner, lease_expires_at, completed_at IS NOT NULL AS ended, deps_remaining FROM step_executions WHERE execution_id = $1 ORDER BY step_id`, [executionId])).rows;
    const [execution] = (await pool.query(`SELECT status, outputs, error, remaining_steps, completed_at IS NOT NULL AS ended FROM workflow_executions WHERE id = $1`, [executionId])).rows;
    const events = (await pool.query(`SELECT type, aggregate_type, payload FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [executionId])).rows;
    // Ids differ between the two runs; everything else must not.
    const anonymous = JSON.parse(JSON.stringify(events).split(executionId).join('<execution>').replace(/"stepExecutionId":"[0-9a-f-]+"/g, '"stepExecutionId":"<step>"'));
    return { steps, execution, events: anonymous };
  }

  beforeAll(async () => {
    db = await createTestDatabase('step_completions');
    pool = new Pool({ ...TEST_DB, database: db.name, max: 4 });
    await pool.query(`INSERT INTO tenants (id, name) VALUES ($1, 'c')`, [TENANT]);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query(`TRUNCATE workflow_executions, step_executions, domain_events, tenant_quotas, tenant_claim_bounds CASCADE`);
  });

  it('writes the same rows and the same events, in the same order, as the statement-per-step writer', async () => {
    const statements = await runDiamond((results) => writeInTransaction(results));
    const oneStatement = await runDiamond((results) => completeSteps(sql(), WORKER, results));

    expect(oneStatement).toEqual(statements);
    expect(oneStatement.steps.map((s: { step_id: string; status: string }) => `${s.step_id}:${s.status}`)).toEqual(['a:completed', 'b:completed', 'c:completed', 'd:completed']);
    expect(oneStatement.execution).toMatchObject({ status: 'completed', remaining_steps: 0, ended: true });
    expect(oneStatement.execution.outputs.d).toEqual({ step: 'd', list: [1, 'two', null] });
    expect(oneStatement.events.map((e: { type: string }) => e.type)).toEqual([
      'WorkflowExecutionStarted',
      'StepExecutionStarted',
      'StepExecutionCompleted',
      'StepExecutionStarted',
      'StepExecutionStarted',
      'StepExecutionCompleted',
      'StepExecutionCompleted',
      'StepExecutionStarted',
      'StepExecutionCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });

  it('changes nothing for a result whose lease this worker does not hold (late, or taken over)', async () => {
    const [executionId] = await insertExecutions(sql(), TENANT, diamond, [{}]);
    const [a] = await claimSteps(sql(), 'other-worker', 1, 60);

    const outcome = await completeSteps(sql(), WORKER, [done(a, diamond, 1)], { limit: 5, leaseSeconds: 60, backlog: true });

    expect(outcome).toEqual({ notify: false, drained: false, finished: { completed: 0, failed: 0 }, claimed: [] });
    const rows = (await pool.query(`SELECT step_id, status, lease_owner, deps_remaining FROM step_executions WHERE execution_id = $1 ORDER BY step_id`, [executionId])).rows;
    expect(rows).toEqual([
      { step_id: 'a', status: 'running', lease_owner: 'other-worker', deps_remaining: 0 },
      { step_id: 'b', status: 'pending', lease_owner: null, deps_remaining: 1 },
      { step_id: 'c', status: 'pending', lease_owner: null, deps_remaining: 1 },
      { step_id: 'd', status: 'pending', lease_owner: null, deps_remaining: 2 },
    ]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'StepExecutionCompleted'`)).rows[0].n).toBe(0);
  });

  it('ends an execution that had failed earlier as failed, with its error, and wakes the parent step waiting for it', async () => {
    const single = new ExecutionPlan(TENANT, 'single', '1.0.0', [stepDefinition('only')], null, null);
    const [parentId] = await insertExecutions(sql(), TENANT, single, [{}]);
    const [{ id: parentStep }] = (
      await pool.query(`UPDATE step_executions SET status = 'waiting', wait_kind = 'child', available_at = 'infinity' WHERE execution_id = $1 RETURNING id`, [parentId])
    ).rows;
    const [childId] = await insertExecutions(sql(), TENANT, single, [{}]);
    await pool.query(`UPDATE step_executions SET wait_key = $2 WHERE id = $1`, [parentStep, childId]);
    const error = { code: 'EARLIER', message: 'an earlier branch failed', stepId: 'x' };
    await pool.query(`UPDATE workflow_executions SET parent_execution_id = $2, parent_step_execution_id = $3, error = $4 WHERE id = $1`, [childId, parentId, parentStep, error]);
    const [only] = await claimSteps(sql(), WORKER, 5, 60);
    expect(only.executionId).toBe(childId);

    const outcome = await completeSteps(sql(), WORKER, [done(only, single, 'x')], { limit: 0, leaseSeconds: 60 });

    expect(outcome).toMatchObject({ notify: true, finished: { completed: 0, failed: 1 }, claimed: [] });
    const [child] = (await pool.query(`SELECT status, error, outputs FROM workflow_executions WHERE id = $1`, [childId])).rows;
    expect(child).toEqual({ status: 'failed', error, outputs: null });
    const [parent] = (await pool.query(`SELECT status, resume, available_at <= now() AS due FROM step_executions WHERE id = $1`, [parentStep])).rows;
    expect(parent).toEqual({ status: 'waiting', due: true, resume: { reason: 'child', payload: { executionId: childId, status: 'failed', outputs: null, error } } });
    const [event] = (await pool.query(`SELECT payload FROM domain_events WHERE aggregate_id = $1 AND type = 'WorkflowExecutionFailed'`, [childId])).rows;
    expect(event.payload).toEqual({ executionId: childId, workflowId: 'single', workflowVersion: '1.0.0', error });
  });

  // After an outage a worker's leases can expire while it still runs their steps: the reaper
  // requeues one, the same worker claims it again (attempt 2), and both attempts' results can meet
  // in one batch. The step completes once and each dependent loses one dependency, not two (a
  // dependent at -1 is never runnable: its execution would hang).
  it.each([
    ['one statement', (results: Extract<StepResult, { kind: 'completed' }>[]) => completeSteps(sql(), WORKER, results)],
    ['statement per step', (results: Extract<StepResult, { kind: 'completed' }>[]) => writeInTransaction(results)],
  ])('counts a step once when a batch holds two attempts of it (%s)', async (_writer, write) => {
    const [executionId] = await insertExecutions(sql(), TENANT, diamond, [{}]);
    const [first] = (await claimSteps(sql(), WORKER, 1, 60)).filter((c) => c.executionId === executionId);
    await pool.query(`UPDATE step_executions SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [first.id]);
    expect(await reapExpiredLeases(sql())).toBe(1);
    const [second] = await claimSteps(sql(), WORKER, 1, 60);
    expect(second).toMatchObject({ id: first.id, attempt: 2 });

    await write([done(first, diamond, 'first'), done(second, diamond, 'second')]);

    const rows = (await pool.query(`SELECT step_id, status, attempt, output, deps_remaining FROM step_executions WHERE execution_id = $1 ORDER BY step_id`, [executionId])).rows;
    expect(rows).toEqual([
      { step_id: 'a', status: 'completed', attempt: 2, output: 'second', deps_remaining: 0 },
      { step_id: 'b', status: 'pending', attempt: 0, output: null, deps_remaining: 0 },
      { step_id: 'c', status: 'pending', attempt: 0, output: null, deps_remaining: 0 },
      { step_id: 'd', status: 'pending', attempt: 0, output: null, deps_remaining: 2 },
    ]);
    const [execution] = (await pool.query(`SELECT status, remaining_steps FROM workflow_executions WHERE id = $1`, [executionId])).rows;
    expect(execution).toEqual({ status: 'running', remaining_steps: 3 });
    const completed = (await pool.query(`SELECT payload->>'attempt' AS attempt FROM domain_events WHERE aggregate_id = $1 AND type = 'StepExecutionCompleted'`, [executionId])).rows;
    expect(completed).toEqual([{ attempt: '2' }]);
  });

  it('counts distinct completed steps in the statement itself, whatever the batch repeats', async () => {
    const [executionId] = await insertExecutions(sql(), TENANT, diamond, [{}]);
    const [a] = (await claimSteps(sql(), WORKER, 1, 60)).filter((c) => c.executionId === executionId);

    // The batch as a caller that did not de-duplicate would send it: a twice, with its dependents twice.
    await pool.query(`SELECT cognitionos_complete_steps($1, $2::uuid[], NULL, $3::uuid[], $4::uuid[], $5::text[], 0, 60, 1000, '{}'::uuid[], false)`, [
      WORKER,
      [a.id, a.id],
      [a.id, a.id, a.id, a.id],
      [executionId, executionId, executionId, executionId],
      ['b', 'c', 'b', 'c'],
    ]);

    const rows = (await pool.query(`SELECT step_id, status, deps_remaining FROM step_executions WHERE execution_id = $1 ORDER BY step_id`, [executionId])).rows;
    expect(rows.map((r: { step_id: string; status: string; deps_remaining: number }) => `${r.step_id}:${r.status}:${r.deps_remaining}`)).toEqual([
      'a:completed:0',
      'b:pending:0',
      'c:pending:0',
      'd:pending:2',
    ]);
  });

  it('takes only batches of completed steps that are not forEach items, hold no key, and have no outputs template', async () => {
    const [executionId] = await insertExecutions(sql(), TENANT, diamond, [{}]);
    const [a] = (await claimSteps(sql(), WORKER, 1, 60)).filter((c) => c.executionId === executionId);
    const templated = new ExecutionPlan(TENANT, 'diamond', '1.0.0', diamond.stepList, { out: '{{ steps.a.output }}' }, null);

    expect(completesInOneStatement([done(a, diamond, 1)])).toBe(true);
    expect(completesInOneStatement([])).toBe(false);
    expect(completesInOneStatement([done(a, diamond, 1), { kind: 'failed', claim: a, plan: diamond, error: { code: 'X', message: 'x' } }])).toBe(false);
    expect(completesInOneStatement([done({ ...a, itemIndex: 0 }, diamond, 1)])).toBe(false);
    expect(completesInOneStatement([done({ ...a, heldKey: 'k' }, diamond, 1)])).toBe(false);
    expect(completesInOneStatement([done(a, templated, 1)])).toBe(false);
  });
});
