import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { activeWorkflow, start, testServer, TestServer } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { freePort, startTs, waitForHttp } from '../support/processes';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';
import { startWorkerProcess, stopProcess } from '../support/worker-processes';

const KEY = 'cos_shutdown_a-long-random-secret-for-this-test';
const STEP_MS = 8000;

interface Started {
  child: ChildProcess;
  url: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * SIGTERM to a process that runs steps longer than the lease (SPEC section 4, "Shutdown"): it stops
 * claiming, hands back what it had not started, keeps the leases of what runs until it finishes (or
 * the grace ends: then releases it for immediate takeover), closes its SSE streams and exits 0.
 */
describe('graceful shutdown on SIGTERM', () => {
  let db: TestDatabase;
  let http: TestServer;
  let admin: Client;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    http = await testServer();
  });
  beforeEach(async () => {
    db = await createTestDatabase('shutdown');
    admin = new Client({ ...TEST_DB, database: db.name });
    await admin.connect();
    http.requests.length = 0;
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await stopProcess(c, 'SIGKILL');
    await admin?.end();
    await db?.drop();
  });
  afterAll(async () => {
    await http?.close();
  });

  const env = (extra: Record<string, string>) => ({
    ...db.env,
    LOG_LEVEL: 'warn',
    HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
    LEASE_SECONDS: '5',
    WORKER_POLL_MS: '200',
    OUTBOX_POLL_MS: '200',
    SCHEDULER_ENABLED: 'false',
    API_KEY_CACHE_SECONDS: '0',
    ...extra,
  });
  async function startApi(extra: Record<string, string>): Promise<Started> {
    const port = await freePort();
    const child = startTs('src/main.ts', env({ PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_API_KEY: KEY, ...extra }));
    children.push(child);
    child.stdout?.resume();
    child.stderr?.resume();
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health/ready`, 60_000);
    return { child, url, exit };
  }
  const count = async (sql: string, params: unknown[] = []) => (await admin.query(sql, params)).rows[0].n as number;
  const until = async (check: () => Promise<boolean>, ms: number, what: string) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const owned = (pid: number, status: string) =>
    count(`SELECT count(*)::int AS n FROM step_executions WHERE status = $1 AND lease_owner LIKE $2`, [status, `%:${pid}:%`]);
  async function prepare(victim: Started, executions: number): Promise<string[]> {
    const api = apiClient(victim.url, KEY);
    await activeWorkflow(api, { id: 'slow', steps: [{ id: 's', type: 'http_request', params: { url: `${http.url}/slow?ms=${STEP_MS}` } }] });
    return Promise.all(Array.from({ length: executions }, async () => (await start(api, 'slow')).body.id as string));
  }
  /** Opens an SSE stream; `ended` resolves with what it received once it ends (wrapped: an async function would flatten it). */
  async function openStream(url: string, executionId: string): Promise<{ ended: Promise<string> }> {
    const res = await fetch(`${url}/api/v3/executions/${executionId}/events`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value); // the first bytes: the stream is open
    const ended = (async () => {
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);
      } catch {
        /* the connection was closed: ended too */
      }
      return text;
    })();
    return { ended };
  }
  const completionsPerStep = async () =>
    (
      await admin.query(`SELECT s.id, (SELECT count(*)::int FROM domain_events e WHERE e.type = 'StepExecutionCompleted' AND e.payload->>'stepExecutionId' = s.id::text) AS n FROM step_executions s`)
    ).rows.map((r: { n: number }) => r.n);

  it('runs 20 in-flight 8 s steps (lease 5 s) exactly once, hands back the 5 prefetched at once, closes SSE and exits 0', async () => {
    const victim = await startApi({ WORKER_CONCURRENCY: '20', WORKER_PREFETCH: '5', SHUTDOWN_GRACE_SECONDS: '30' });
    const ids = await prepare(victim, 25);
    await until(async () => (await owned(victim.child.pid!, 'running')) === 25 && http.requests.length === 20, 30_000, '20 running and 5 prefetched');
    const streamEnded = await openStream(victim.url, ids[0]);

    const signalledAt = Date.now();
    victim.child.kill('SIGTERM');
    // The prefetched steps go back with their attempt given back (attempt 0): handed back, not reaped after the lease.
    await until(async () => (await count(`SELECT count(*)::int AS n FROM step_executions WHERE status = 'pending' AND lease_owner IS NULL AND attempt = 0`)) === 5, 30_000, 'the hand-back');
    // The stream was ended by the shutdown, not by its execution's end (its step was still running).
    expect(await streamEnded.ended).not.toMatch(/event: WorkflowExecution(Completed|Failed|Cancelled)/);
    children.push(startWorkerProcess(db, env({ BOOTSTRAP_API_KEY: '' })));

    const exit = await victim.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(30_000 + 10_000); // the grace, and the margin after which the process forces exit 1
    await until(async () => (await count(`SELECT count(*)::int AS n FROM workflow_executions WHERE status = 'completed'`)) === 25, 60_000, 'all 25 completed');
    // Exactly once: 25 calls to the slow server, none cut short, one completion per step.
    expect(http.requests.filter((r) => r.path === '/slow')).toHaveLength(25);
    expect(http.requests.filter((r) => r.aborted)).toEqual([]);
    expect(await completionsPerStep()).toEqual(Array(25).fill(1));
    const byVictim = await count(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'StepExecutionCompleted' AND payload->>'workerId' LIKE $1`, [`%:${victim.child.pid}:%`]);
    expect(byVictim).toBe(20);
  });

  it('when the grace ends first: releases the running steps for immediate takeover and still exits 0', async () => {
    const victim = await startApi({ WORKER_CONCURRENCY: '5', WORKER_PREFETCH: '0', SHUTDOWN_GRACE_SECONDS: '2' });
    await prepare(victim, 5);
    await until(async () => (await owned(victim.child.pid!, 'running')) === 5 && http.requests.length === 5, 30_000, '5 running');
    victim.child.kill('SIGTERM');
    const exit = await victim.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // Released, not left to expire (no other worker runs yet, and the victim's reaper stopped first):
    // pending with no lease as soon as the process is gone, their calls cut short.
    expect(await count(`SELECT count(*)::int AS n FROM step_executions WHERE status = 'pending' AND lease_owner IS NULL`)).toBe(5);
    await until(async () => http.requests.filter((r) => r.aborted).length === 5, 10_000, 'the calls to be cut');
    children.push(startWorkerProcess(db, env({ BOOTSTRAP_API_KEY: '' })));
    await until(async () => (await count(`SELECT count(*)::int AS n FROM workflow_executions WHERE status = 'completed'`)) === 5, 60_000, 'all 5 completed');
    expect(await completionsPerStep()).toEqual(Array(5).fill(1));
  });
});
