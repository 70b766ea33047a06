import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { apiClient } from '../support/http-client';
import { freePort, runTs, startTs, waitForHttp } from '../support/processes';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const quiet = { LOG_LEVEL: 'silent', API_KEY_CACHE_SECONDS: '0' };

/** Sends `signal` and waits for the exit: [code, signal]. A process still running after 20 s is killed (and fails the test). */
async function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<[number | null, NodeJS.Signals | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return [child.exitCode, child.signalCode];
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  child.kill(signal);
  try {
    return await exited;
  } finally {
    clearTimeout(guard);
  }
}

function waitForOutput(child: ChildProcess, text: string, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${ms} ms: ${seen.slice(-2000)}`)), ms);
    child.stdout!.on('data', (d) => {
      seen += d;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe('the server process and the admin CLI', () => {
  let db: TestDatabase;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('cli');
  });
  afterAll(async () => {
    if (server) await stopWith(server, 'SIGTERM');
    await db.drop();
  });

  it('refuses to start with a bad environment, naming the variable', () => {
    const result = runTs('src/main.ts', [], { ...db.env, DB_PORT: 'not-a-port', ...quiet });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DB_PORT');
  });

  it('creates a first tenant from BOOTSTRAP_API_KEY, and the CLI manages tenants and keys', async () => {
    const port = await freePort();
    const bootstrapKey = 'cos_boot1234_bootstrap-secret-0123456789';
    server = startTs('src/main.ts', { ...db.env, ...quiet, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_API_KEY: bootstrapKey });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health/ready`);
    const api = apiClient(url, bootstrapKey);
    expect((await api('GET', '/api/v3/workflows')).status).toBe(200);

    const created = runTs('src/cli.ts', ['tenant:create', 'acme', '--with-key'], { ...db.env, ...quiet });
    expect(created.code).toBe(0);
    const tenant = JSON.parse(created.stdout);
    expect(tenant).toMatchObject({ name: 'acme', tenantId: expect.any(String), apiKey: expect.stringMatching(/^cos_[A-Za-z0-9]{8}_/) });
    expect((await api('GET', '/api/v3/workflows', { key: tenant.apiKey })).status).toBe(200);

    const second = JSON.parse(runTs('src/cli.ts', ['apikey:create', '--tenant', tenant.tenantId, '--name', 'ci'], { ...db.env, ...quiet }).stdout);
    const listed = JSON.parse(runTs('src/cli.ts', ['apikey:list', '--tenant', tenant.tenantId], { ...db.env, ...quiet }).stdout);
    expect(listed.map((k: { name: string }) => k.name)).toEqual(['default', 'ci']);
    expect(JSON.stringify(listed)).not.toContain(second.apiKey);

    const revoked = runTs('src/cli.ts', ['apikey:revoke', second.apiKeyId], { ...db.env, ...quiet });
    expect(revoked.code).toBe(0);
    expect((await api('GET', '/api/v3/workflows', { key: second.apiKey })).status).toBe(401);
    expect((await api('GET', '/api/v3/workflows', { key: tenant.apiKey })).status).toBe(200);

    const missing = runTs('src/cli.ts', ['apikey:create', '--tenant', '00000000-0000-7000-8000-000000000000'], { ...db.env, ...quiet });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);
  }, 60_000);

  it('the API process exits 0 on SIGTERM and on SIGINT (not killed by the signal)', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const port = await freePort();
      const api = startTs('src/main.ts', { ...db.env, ...quiet, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_API_KEY: '' });
      api.stdout!.resume();
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      expect(await stopWith(api, signal)).toEqual([0, null]);
    }
  }, 60_000);

  it('the worker process exits 0 on SIGTERM once its shutdown is done', async () => {
    const worker = startTs('src/worker.ts', { ...db.env, LOG_LEVEL: 'info', BOOTSTRAP_API_KEY: '' });
    await waitForOutput(worker, 'worker process started');
    expect(await stopWith(worker, 'SIGTERM')).toEqual([0, null]);
  }, 60_000);
});
