import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import { Pool } from 'pg';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';
import { startTcpProxy, TcpProxy } from '@cognition/test-support/tcp-proxy';
import { createTestDatabase, TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { until } from '@cognition/test-support/wait';
import { ExecutionPlan } from '../../domain/execution-plan';
import { insertExecutions } from '../../infrastructure/execution-starter';
import { sqlOf } from '../../infrastructure/sql';
import { claimSteps, ClaimedStep } from '../../infrastructure/step-claims';
import { StepResult } from '../../infrastructure/step-result';
import { EngineMetrics } from '../engine-metrics';
import { ResultBatcher } from './result-batcher';

const TENANT = '00000000-0000-7000-8000-0000000000b1';
const WORKER = 'batcher-test-worker';
const NUL = '\u0000';
// `b` depends on `a`: a failed `a` skips `b` and fails its execution; a completed one makes `b` runnable.
const plan = new ExecutionPlan(TENANT, 'poison', '1.0.0', [stepDefinition('a'), stepDefinition('b', ['a'])], null, null);
const metrics = { executions: { inc: () => undefined } } as unknown as EngineMetrics;

describe('ResultBatcher (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  const poolOn = (port: number) => new Pool({ ...TEST_DB, port, database: db.name, max: 4, connectionTimeoutMillis: 5000 });
  const batcherOn = (target: Pool) => new ResultBatcher(target, WORKER, metrics, () => undefined, () => ({ limit: 0, leaseSeconds: 60 }), { backoffMs: 20, maxBackoffMs: 200 });
  const logged = (spy: jest.SpyInstance) => spy.mock.calls.map((c) => String(c[0]));

  /** Starts `n` executions and claims their first steps as WORKER. */
  async function claimFirstSteps(n: number): Promise<ClaimedStep[]> {
    await insertExecutions(sqlOf(pool), TENANT, plan, Array.from({ length: n }, (_, i) => ({ i })));
    const claimed = await claimSteps(sqlOf(pool), WORKER, n, 60);
    expect(claimed).toHaveLength(n);
    return claimed;
  }

  const completed = (claim: ClaimedStep, output: unknown): StepResult => ({ kind: 'completed', claim, plan, output });

  async function stepRows(claims: ClaimedStep[]) {
    const { rows } = await pool.query(
      `SELECT s.id, s.status, s.output, s.error, s.lease_owner, e.status AS execution_status, e.error AS execution_error,
              (SELECT status FROM step_executions b WHERE b.execution_id = s.execution_id AND b.step_id = 'b') AS b_status,
              (SELECT array_agg(type ORDER BY type) FROM domain_events d
                WHERE d.aggregate_id = s.execution_id::text AND d.payload->>'stepExecutionId' = s.id::text
                  AND d.type IN ('StepExecutionCompleted', 'StepExecutionFailed')) AS outcomes
       FROM step_executions s JOIN workflow_executions e ON e.id = s.execution_id WHERE s.id = ANY($1::uuid[])`,
      [claims.map((c) => c.id)],
    );
    return new Map(rows.map((r) => [r.id as string, r]));
  }

  beforeAll(async () => {
    db = await createTestDatabase('result_batcher');
    pool = poolOn(TEST_DB.port);
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query(`TRUNCATE workflow_executions, step_executions, domain_events CASCADE`);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    rejections.length = 0;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    expect(rejections).toEqual([]);
  });

  /** Pushes one batch of 20 results, the one at `poisonAt` with `poison` as its output; checks the rest completed. */
  async function batchWithPoison(poison: unknown, poisonAt = 7) {
    const claims = await claimFirstSteps(20);
    const batcher = batcherOn(pool);
    const outputs = claims.map((_, i) => (i === poisonAt ? poison : { items: [i, `clean ${i} \ud83d\ude00`] }));
    claims.forEach((claim, i) => batcher.push(completed(claim, outputs[i])));
    await batcher.drain();
    expect(batcher.pendingIds()).toEqual([]);
    const rows = await stepRows(claims);
    claims.forEach((claim, i) => {
      if (i === poisonAt) return;
      const row = rows.get(claim.id);
      expect(row).toMatchObject({ status: 'completed', output: outputs[i], lease_owner: null, execution_status: 'running', b_status: 'pending', outcomes: ['StepExecutionCompleted'] });
    });
    const bad = rows.get(claims[poisonAt].id);
    // The poison step failed once, for good; its execution failed with its error and skipped `b`.
    expect(bad).toMatchObject({ status: 'failed', output: null, lease_owner: null, execution_status: 'failed', b_status: 'skipped', outcomes: ['StepExecutionFailed'] });
    expect(bad.execution_error).toMatchObject({ code: 'OUTPUT_NOT_STORABLE', stepId: 'a' });
    return bad.error as { code: string; message: string; details?: { path: string } };
  }

  it('fails only the step whose output holds a NUL, naming the path; the other 19 complete', async () => {
    const error = await batchWithPoison({ items: [0, 1, 2, { name: `x${NUL}y` }] });
    expect(error).toEqual({
      code: 'OUTPUT_NOT_STORABLE',
      message: 'output.items[3].name contains a NUL character (U+0000), which PostgreSQL cannot store',
      details: { path: 'output.items[3].name' },
    });
  });

  it('fails only the step with a lone surrogate in an object key; the key is escaped in the message', async () => {
    const error = await batchWithPoison({ ok: true, nested: { [`bad\ud800key`]: 1 } });
    expect(error.message).toBe('the key of output.nested["bad\\ud800key"] contains a lone surrogate (U+D800), which PostgreSQL cannot store');
    expect(error.details).toEqual({ path: 'output.nested["bad\\ud800key"]' });
  });

  it('splits a batch the database (or the driver) rejects and fails the item that is rejected alone', async () => {
    // No pre-check sees these: a BigInt (JSON.stringify throws) and a NUL in a text column (a wait key).
    const claims = await claimFirstSteps(20);
    const batcher = batcherOn(pool);
    claims.forEach((claim, i) => {
      if (i === 3) batcher.push(completed(claim, { n: BigInt(1) }));
      else if (i === 11) batcher.push({ kind: 'waiting', claim, plan, wait: { kind: 'signal', key: `go${NUL}` } });
      else batcher.push(completed(claim, i));
    });
    await batcher.drain();
    const rows = await stepRows(claims);
    expect([...rows.values()].filter((r) => r.status === 'completed')).toHaveLength(18);
    expect(rows.get(claims[3].id)).toMatchObject({ status: 'failed', execution_status: 'failed', outcomes: ['StepExecutionFailed'] });
    expect(rows.get(claims[3].id).error).toEqual({ code: 'OUTPUT_NOT_STORABLE', message: expect.stringMatching(/^the step's output could not be stored \(.*BigInt/) });
    expect(rows.get(claims[11].id)).toMatchObject({ status: 'failed', execution_status: 'failed', error: { code: 'OUTPUT_NOT_STORABLE', message: expect.stringContaining('22021') } });
    expect(logged(warn).filter((m) => m.includes('writing them one at a time'))).toHaveLength(1);
  });

  it('fails the step whose error (not output) cannot be stored, naming error.<path>, even when it was to be retried', async () => {
    const [claim] = await claimFirstSteps(1);
    const batcher = batcherOn(pool);
    batcher.push({ kind: 'failed', claim, plan, error: { code: 'HTTP_500', message: `upstream said ${NUL}` }, retryAt: new Date(Date.now() + 60_000) });
    await batcher.drain();
    const row = (await stepRows([claim])).get(claim.id);
    expect(row).toMatchObject({ status: 'failed', execution_status: 'failed', outcomes: ['StepExecutionFailed'] });
    expect(row.error).toEqual({ code: 'OUTPUT_NOT_STORABLE', message: expect.stringMatching(/^error\.message contains a NUL/), details: { path: 'error.message' } });
  });

  describe('while the database cannot be reached', () => {
    let proxy: TcpProxy;
    let proxied: Pool;
    beforeEach(async () => {
      proxy = await startTcpProxy(TEST_DB.host, TEST_DB.port);
      proxied = poolOn(proxy.port);
    });
    afterEach(async () => {
      await proxied.end().catch(() => undefined);
      await proxy.close();
    });

    it('retries the same batch with backoff, keeps its ids pending, and writes it once the database is back', async () => {
      const claims = await claimFirstSteps(5);
      proxy.refuse();
      const batcher = batcherOn(proxied);
      for (const claim of claims) batcher.push(completed(claim, 'done'));
      await until(async () => logged(warn).length, (n) => n > 0, 'first failure logged');
      await new Promise((r) => setTimeout(r, 500));
      expect(batcher.pendingIds().sort()).toEqual(claims.map((c) => c.id).sort());
      expect([...(await stepRows(claims)).values()].map((r) => r.status)).toEqual(Array(5).fill('running'));
      proxy.allow();
      expect(await batcher.drain()).toEqual([]);
      expect([...(await stepRows(claims)).values()].map((r) => r.outcomes)).toEqual(Array(5).fill(['StepExecutionCompleted']));
      expect(batcher.pendingIds()).toEqual([]);
      // One line for the outage (not one per retry), no stack, nothing given up.
      expect(logged(warn)).toEqual([expect.stringMatching(/^writing step results failed, database unavailable \(.*\); retrying with backoff$/)]);
      expect(error).not.toHaveBeenCalled();
    });

    it('retries a batch whose connection is cut in the middle of the transaction', async () => {
      const claims = await claimFirstSteps(5);
      proxy.latency(150);
      proxied.once('acquire', () =>
        setTimeout(() => {
          proxy.cutAll();
          proxy.latency(0);
        }, 50),
      );
      const batcher = batcherOn(proxied);
      for (const claim of claims) batcher.push(completed(claim, 'done'));
      await batcher.drain();
      expect([...(await stepRows(claims)).values()].map((r) => r.outcomes)).toEqual(Array(5).fill(['StepExecutionCompleted']));
      expect(logged(warn)).toEqual([expect.stringMatching(/database unavailable \(.*Connection terminated/i)]);
    });

    it('gives up at the deadline of drain(): resolves, logs one line, drops the results (their steps stay claimed)', async () => {
      const claims = await claimFirstSteps(3);
      proxy.refuse();
      const batcher = batcherOn(proxied);
      for (const claim of claims) batcher.push(completed(claim, 'done'));
      expect((await batcher.drain(Date.now() + 700)).sort()).toEqual(claims.map((c) => c.id).sort());
      expect(batcher.pendingIds()).toEqual([]);
      expect(logged(warn).filter((m) => m.startsWith('gave up writing 3 step results'))).toHaveLength(1);
      expect([...(await stepRows(claims)).values()].map((r) => [r.status, r.lease_owner])).toEqual(Array(3).fill(['running', WORKER]));
      // Nothing keeps retrying afterwards.
      const lines = warn.mock.calls.length;
      proxy.allow();
      await new Promise((r) => setTimeout(r, 400));
      expect(warn.mock.calls.length).toBe(lines);
      expect([...(await stepRows(claims)).values()].map((r) => r.status)).toEqual(Array(3).fill('running'));
    });
  });

  it('does not reject with a pool on a closed port or an ended pool; drain(deadline) resolves', async () => {
    const claims = await claimFirstSteps(2);
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const closed = poolOn(closedPort);
    const ended = poolOn(TEST_DB.port);
    await ended.end();
    for (const [i, target] of [closed, ended].entries()) {
      const batcher = batcherOn(target);
      batcher.push(completed(claims[i], 'done'));
      await batcher.drain(Date.now() + 500);
      expect(batcher.pendingIds()).toEqual([]);
    }
    await closed.end();
    expect(logged(warn).filter((m) => m.startsWith('gave up writing 1 step results'))).toHaveLength(2);
    expect(logged(warn).filter((m) => m.includes('ECONNREFUSED'))).not.toHaveLength(0);
  });
});
