import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { isAlive } from '@cognition/platform/database/embedded/cluster-state';
import { EMBEDDED_BOOTSTRAP_API_KEY } from '@cognition/platform/database/embedded/embedded-database';
import { parsePostmasterPid } from '@cognition/platform/database/embedded/postmaster-pid';
import { freePort, ROOT, waitForHttp } from '../support/processes';

/**
 * The zero-setup default (no DATABASE_URL, no DB_HOST): the real entry points start or attach to the
 * embedded PostgreSQL on one data directory (a temp folder, a free port): migrated, the bootstrap key
 * created, a second process (CLI, worker) attaching, a kill -9 of the server (its PostgreSQL keeps
 * running and is reused), SIGTERM (exit 0, the server stopped by the last process), a stale
 * postmaster.pid after PostgreSQL itself was killed, the data kept throughout.
 */
interface Proc {
  child: ChildProcess;
  output: () => string;
}

/** The key the server creates: .env.example's, unless the repository's own .env sets one. */
const dotEnv = existsSync(join(ROOT, '.env')) ? parseEnv(readFileSync(join(ROOT, '.env'), 'utf8')) : {};
const KEY = dotEnv.BOOTSTRAP_API_KEY || EMBEDDED_BOOTSTRAP_API_KEY;

describe('embedded PostgreSQL: server, worker and CLI on one data directory', () => {
  let root: string;
  let dir: string;
  let pgPort: number;
  const started: Proc[] = [];

  /** The environment of a process with no database configured ('' blanks a value of ./.env; BOOTSTRAP_API_KEY left unset). */
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['BOOTSTRAP_API_KEY', 'npm_lifecycle_event']) delete base[name];
    return { ...base, DATABASE_URL: '', DB_HOST: '', EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'info', API_KEY_CACHE_SECONDS: '0', SHUTDOWN_GRACE_SECONDS: '5', ...extra };
  };
  const start = (entry: string, extra: Record<string, string> = {}): Proc => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', entry], { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    child.stderr!.on('data', (d) => (text += d));
    const proc = { child, output: () => text };
    started.push(proc);
    return proc;
  };
  const startServer = async (): Promise<{ proc: Proc; url: string }> => {
    const port = await freePort();
    const proc = start('src/main.ts', { PORT: String(port), HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health/ready`, 90_000).catch((error) => Promise.reject(new Error(`${error.message}\n${proc.output().slice(-3000)}`)));
    return { proc, url };
  };
  const exitOf = async (proc: Proc, signal: NodeJS.Signals): Promise<number | string | null> => {
    const exited = once(proc.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    proc.child.kill(signal);
    const [code, killedBy] = await exited;
    return code ?? killedBy;
  };
  const postmaster = () => (existsSync(join(dir, 'postmaster.pid')) ? parsePostmasterPid(readFileSync(join(dir, 'postmaster.pid'), 'utf8')) : undefined);
  // Not a zombie either: pid 1 of some containers reaps the server late.
  const alive = isAlive;
  const api = (url: string, path: string, init: RequestInit = {}) =>
    fetch(`${url}/api/v3${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cos-embedded-'));
    // As root the server runs as the user postgres, who must reach the data directory.
    chmodSync(root, 0o755);
    dir = join(root, 'pg');
    pgPort = await freePort();
  });

  afterAll(async () => {
    for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const pid = postmaster()?.pid;
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('starts, migrates, creates the bootstrap key; the CLI and a worker attach; kill -9 and SIGTERM; a stale postmaster.pid', async () => {
    // 1. First start: initdb, migrations, the key; one line saying so. Port 5432 is never used.
    const first = await startServer();
    const line = first.proc.output().split('\n').find((l) => l.startsWith('database: embedded PostgreSQL'));
    expect(line).toMatch(new RegExp(`^database: embedded PostgreSQL 15\\.\\d+ at 127\\.0\\.0\\.1:${pgPort} \\(started, \\d+ migration\\(s\\) applied\\), database "cognition_os", data in ${dir}; set DATABASE_URL \\(or DB_HOST\\) to use your own PostgreSQL$`));
    expect(first.proc.output()).not.toContain(':5432');
    const created = await api(first.url, '/workflows', {
      method: 'POST',
      body: JSON.stringify({ id: 'kept', version: '1.0.0', name: 'Kept', steps: [{ id: 'only', type: 'transform', params: { output: 'x' } }] }),
    });
    expect(created.status).toBe(201);

    // 2. The CLI attaches to the running server, and leaves it running.
    const cli = spawnSync(process.execPath, ['-r', 'ts-node/register', 'src/cli.ts', 'tenant:list'], { cwd: ROOT, env: env({}), encoding: 'utf8', timeout: 60_000 });
    expect({ code: cli.status, stderr: cli.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`cognition-os: using the embedded PostgreSQL at 127.0.0.1:${pgPort}, database "cognition_os"`) });
    expect(cli.stderr).toContain('already running');
    expect(JSON.parse(cli.stdout)).toEqual([expect.objectContaining({ name: 'default' })]);
    expect((await fetch(`${first.url}/health/ready`)).status).toBe(200);

    // 3. A worker process attaches too.
    const worker = start('src/worker.ts');
    for (let i = 0; i < 300 && !worker.output().includes('worker process started'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(worker.output()).toMatch(new RegExp(`database: embedded PostgreSQL 15\\.\\d+ at 127\\.0\\.0\\.1:${pgPort} \\(already running\\)`));

    // 4. kill -9 of the server: its PostgreSQL keeps running; the next start reuses it, and the data is there.
    const server = postmaster()!;
    expect(await exitOf(first.proc, 'SIGKILL')).toBe('SIGKILL');
    expect(alive(server.pid)).toBe(true);
    const second = await startServer();
    expect(second.proc.output()).toContain('(already running)');
    expect((await api(second.url, '/workflows/kept/versions/1.0.0')).status).toBe(200);

    // 5. SIGTERM: each exits 0; PostgreSQL keeps running while another process uses it, and stops with the last.
    expect(await exitOf(worker, 'SIGTERM')).toBe(0);
    expect((await fetch(`${second.url}/health/ready`)).status).toBe(200);
    expect(await exitOf(second.proc, 'SIGTERM')).toBe(0);
    expect(alive(server.pid)).toBe(false);
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
    expect(readFileSync(join(dir, 'postgres.log'), 'utf8')).toMatch(/database system is shut down\s*$/);

    // 6. PostgreSQL itself killed (kill -9), and the server with it: the stale postmaster.pid is recovered.
    const third = await startServer();
    expect(third.proc.output()).toContain('(started)');
    const killed = postmaster()!;
    process.kill(killed.pid, 'SIGKILL');
    expect(await exitOf(third.proc, 'SIGKILL')).toBe('SIGKILL');
    for (let i = 0; i < 100 && alive(killed.pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(postmaster()?.pid).toBe(killed.pid);
    const fourth = await startServer();
    expect(fourth.proc.output()).toContain(`removing the stale ${join(dir, 'postmaster.pid')} (pid ${killed.pid} is gone)`);
    expect((await api(fourth.url, '/workflows/kept/versions/1.0.0')).status).toBe(200);
    expect(await exitOf(fourth.proc, 'SIGTERM')).toBe(0);
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  }, 240_000);

  it('a data directory that is not an embedded cluster of ours: one line, exit 1', async () => {
    const other = join(root, 'not-a-cluster');
    rmSync(other, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', other]);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', 'src/main.ts'], { cwd: ROOT, env: env({ EMBEDDED_PG_DIR: other }), encoding: 'utf8', timeout: 60_000 });
    expect({ code: result.status, lines: result.stderr.trim().split('\n') }).toEqual({
      code: 1,
      lines: [`${other} is not empty and holds no PostgreSQL cluster: set EMBEDDED_PG_DIR to another folder`],
    });
  });
});
