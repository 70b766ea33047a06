import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { activeWorkflow, start, testServer, TestServer } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { freePort, startTs, waitForHttp } from '../support/processes';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';
import { stopProcess } from '../support/worker-processes';

const KEY = 'cos_outage01_a-long-random-secret-for-this-test';
const EXECUTIONS = 30;
const MORE = 10;

/**
 * An API process and a worker process reach PostgreSQL through a proxy that the test cuts and
 * refuses for 12 s: neither process exits, /health/ready reports the outage and comes back by
 * itself, every execution completes, no step completes twice, starts after the outage succeed, and
 * each process still holds exactly one LISTEN connection.
 */
describe('a database outage with no outside restarter', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let http: TestServer;
  let admin: Client;
  let api: ChildProcess;
  let worker: ChildProcess;
  let url: string;
  const exits: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('outage');
    proxy = await startTcpProxy(TEST_DB.host, TEST_DB.port);
    http = await testServer();
    admin = new Client({ ...TEST_DB, database: db.name });
    await admin.connect();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      ...db.env,
      DB_PORT: String(proxy.port),
      LOG_LEVEL: 'warn',
      HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
      LEASE_SECONDS: '5',
      WORKER_POLL_MS: '300',
      OUTBOX_POLL_MS: '300',
      SCHEDULER_ENABLED: 'false',
      API_KEY_CACHE_SECONDS: '0',
    };
    api = startTs('src/main.ts', { ...env, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_API_KEY: KEY });
    worker = startTs('src/worker.ts', { ...env, BOOTSTRAP_API_KEY: '' });
    for (const [name, child] of [['api', api], ['worker', worker]] as const) {
      child.once('exit', (code, signal) => exits.push(`${name} exited ${code ?? signal}`));
      child.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean).map((l) => `${name}: ${l}`)));
      child.stderr?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean).map((l) => `${name}: ${l}`)));
    }
    await waitForHttp(`${url}/health/ready`, 60_000);
  });
  afterAll(async () => {
    await stopProcess(api, 'SIGKILL');
    await stopProcess(worker, 'SIGKILL');
    await admin?.end();
    await proxy?.close();
    await http?.close();
    await db?.drop();
  });

  const ready = async () => {
    try {
      return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) })).status;
    } catch {
      return 0;
    }
  };
  const count = async (sql: string, params: unknown[] = []) => (await admin.query(sql, params)).rows[0].n as number;
  /** For a failed wait: the steps of unfinished executions by state, the outbox backlog and the last log lines. */
  const stateOfUnfinished = async () => {
    const steps = await admin.query(
      `SELECT s.status, s.attempt, s.deps_remaining AS deps, s.lease_owner IS NOT NULL AS leased, s.lease_expires_at < now() AS lease_expired,
              s.available_at <= now() AS available, count(*)::int AS n
         FROM step_executions s JOIN workflow_executions e ON e.id = s.execution_id
        WHERE e.status NOT IN ('completed', 'failed', 'cancelled') GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 7 DESC`,
    );
    const executions = await admin.query(`SELECT status, count(*)::int AS n FROM workflow_executions GROUP BY 1`);
    return `executions ${JSON.stringify(executions.rows)}; their steps ${JSON.stringify(steps.rows)}; exits ${JSON.stringify(exits)}; last log lines ${JSON.stringify(logs.slice(-15))}`;
  };

  it('keeps every process alive, reports the outage, recovers by itself and loses nothing', async () => {
    const client = apiClient(url, KEY);
    const step = (id: string, dependsOn: string[]) => ({ id, type: 'http_request', dependsOn, params: { url: `${http.url}/slow?ms=300` } });
    await activeWorkflow(client, { id: 'chain', steps: [step('a', []), step('b', ['a']), step('c', ['b'])] });
    for (let i = 0; i < EXECUTIONS; i++) expect((await start(client, 'chain')).status).toBe(202);
    // Wait for two LISTEN connections (one per process) and some progress, then take the database away.
    const listeners = () => count(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'cognition-os-listener:%'`, [db.name]);
    const until = async (check: () => Promise<boolean>, ms: number, what: string) => {
      const end = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ${await stateOfUnfinished()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until(async () => (await listeners()) === 2, 30_000, 'two LISTEN connections');
    await until(async () => (await count(`SELECT count(*)::int AS n FROM step_executions WHERE status = 'completed'`)) >= 10, 60_000, 'progress');

    proxy.refuse();
    proxy.cutAll();
    const statuses = new Set<number>();
    const outageEnd = Date.now() + 12_000;
    while (Date.now() < outageEnd) {
      statuses.add(await ready());
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(statuses.has(200)).toBe(false);
    expect([...statuses].some((s) => s === 503)).toBe(true);
    expect(exits).toEqual([]);
    proxy.allow();
    await until(async () => (await ready()) === 200, 30_000, '/health/ready to come back');

    for (let i = 0; i < MORE; i++) expect((await start(client, 'chain')).status).toBe(202);
    await until(
      async () => (await count(`SELECT count(*)::int AS n FROM workflow_executions WHERE status IN ('completed', 'failed', 'cancelled')`)) === EXECUTIONS + MORE,
      120_000,
      'every execution to finish',
    );
    expect(await count(`SELECT count(*)::int AS n FROM workflow_executions WHERE status = 'completed'`)).toBe(EXECUTIONS + MORE);
    const twice = await admin.query(
      `SELECT payload->>'stepExecutionId' AS step FROM domain_events WHERE type = 'StepExecutionCompleted' GROUP BY 1 HAVING count(*) > 1`,
    );
    expect(twice.rows).toEqual([]);
    await until(async () => (await listeners()) === 2, 30_000, 'one LISTEN connection per process again');
    // Steady: no leak of listener connections after a while.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await listeners()).toBe(2);
    expect(exits).toEqual([]);
    // Every log line is one JSON object (no multi-line stack traces), and loops name themselves.
    expect(logs.filter((l) => !/^(api|worker): \{.*\}$/.test(l))).toEqual([]);
    expect(logs.some((l) => l.includes('"loop":'))).toBe(true);
    // The test's own waits (progress, a 12 s outage, recovery, every execution finishing) bound it:
    // about 20 s on a quiet machine, over 60 s once with the CPU loaded to 5.75 on 2 cores.
  }, 240_000);
});
