import { spawn } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { migrationFiles, MIGRATIONS_DIR } from '@cognition/platform/database/startup-checks';
import { freePort, ROOT } from '../support/processes';
import { adminQuery, createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';

/**
 * Each start-up failure of the real entry points ends in ONE line on stderr that says what to do,
 * and a non-zero exit within 30 s (a process still running then is killed, and fails the test).
 */
interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

function run(command: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', BOOTSTRAP_API_KEY: '', DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, lines: stderr.split('\n').filter((l) => l.trim() !== '') }));
  });
}

const entry = (file: string, ...args: string[]) => ['-r', 'ts-node/register', file, ...args];
const migrationRun = ['node_modules/typeorm/cli-ts-node-commonjs.js', 'migration:run', '-d', 'src/data-source.ts'];
const dbEnv = (name: string) => ({ DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: name });

/** The CLI first says which database it uses (issue 11); the failure is still the one line after it. */
const CLI_DATABASE_LINE = /^cognition-os: using PostgreSQL at \S+, database "[^"]+", user "[^"]+"/;

function expectOneLine(outcome: Outcome, line: string | RegExp, { cli = false } = {}): void {
  const lines = cli && CLI_DATABASE_LINE.test(outcome.lines[0] ?? '') ? outcome.lines.slice(1) : outcome.lines;
  if (cli) expect(outcome.lines[0]).toMatch(CLI_DATABASE_LINE);
  expect({ code: outcome.code, signal: outcome.signal, lines }).toEqual({
    code: 1,
    signal: null,
    lines: [typeof line === 'string' ? line : expect.stringMatching(line)],
  });
}

describe('start-up failures: one line each, then exit 1', () => {
  const databases: string[] = [];
  afterAll(async () => {
    for (const name of databases) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  const emptyDatabase = async (label: string) => {
    const name = `cos_test_${label}_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    databases.push(name);
    return name;
  };

  it('PostgreSQL unreachable: the API, the worker and the CLI name host:port after DB_CONNECT_TIMEOUT_SECONDS', async () => {
    const port = await freePort();
    const env = { DB_HOST: '127.0.0.1', DB_PORT: String(port), DB_PASSWORD: 'do-not-print-me', DB_CONNECT_TIMEOUT_SECONDS: '2' };
    const line = `cannot reach PostgreSQL at 127.0.0.1:${port} after 2 s (ECONNREFUSED): start it, or set DATABASE_URL / DB_HOST`;
    const [api, worker, cli, migrate] = await Promise.all([
      run(entry('src/main.ts'), env),
      run(entry('src/worker.ts'), env),
      run(entry('src/cli.ts', 'tenant:list'), env),
      run(migrationRun, env),
    ]);
    expectOneLine(api, line);
    expectOneLine(worker, line);
    expectOneLine(cli, line, { cli: true });
    expect(cli.stdout + cli.stderr).not.toContain('do-not-print-me');
    expectOneLine(migrate, line);
  });

  it('a DATABASE_URL is shown as host:port only, never with its password', async () => {
    const port = await freePort();
    const outcome = await run(entry('src/main.ts'), { DATABASE_URL: `postgres://app:do-not-print-me@127.0.0.1:${port}/cognition`, DB_CONNECT_TIMEOUT_SECONDS: '1' });
    expectOneLine(outcome, `cannot reach PostgreSQL at 127.0.0.1:${port} after 1 s (ECONNREFUSED): start it, or set DATABASE_URL / DB_HOST`);
    expect(outcome.stdout + outcome.stderr).not.toContain('do-not-print-me');
  });

  it('a database that does not exist: says to create it', async () => {
    const outcome = await run(entry('src/main.ts'), dbEnv(`cos_test_missing_${process.pid}`));
    expectOneLine(outcome, new RegExp(`^database "cos_test_missing_${process.pid}" does not exist on PostgreSQL at .+: create it`));
  });

  it('a fresh empty database: every entry point names npm run migration:run', async () => {
    const name = await emptyDatabase('unmigrated');
    const line = `database "${name}" is not migrated (0 of ${migrationFiles(MIGRATIONS_DIR).length} migrations applied): run npm run migration:run`;
    const [api, worker, cli] = await Promise.all([
      run(entry('src/main.ts'), dbEnv(name)),
      run(entry('src/worker.ts'), dbEnv(name)),
      run(entry('src/cli.ts', 'tenant:create', 'acme'), dbEnv(name)),
    ]);
    expectOneLine(api, line);
    expectOneLine(worker, line);
    expectOneLine(cli, line, { cli: true });
  });

  it('no pgvector on the server: the app and migration:run name scripts/install-pgvector.sh', async () => {
    // A server without pgvector, as far as these processes can tell: the database's search_path puts a
    // pg_available_extensions without `vector` before pg_catalog (the unit spec covers the selection itself).
    const name = await emptyDatabase('nopgvector');
    await adminQuery(`CREATE SCHEMA hide_vector`, name);
    await adminQuery(`CREATE VIEW hide_vector.pg_available_extensions AS SELECT * FROM pg_catalog.pg_available_extensions WHERE name <> 'vector'`, name);
    await adminQuery(`ALTER DATABASE "${name}" SET search_path = hide_vector, pg_catalog, public`);
    const line = 'the pgvector extension is not installed on this PostgreSQL server: run scripts/install-pgvector.sh (or use a server with pgvector 0.8+)';
    const [api, migrate] = await Promise.all([run(entry('src/main.ts'), dbEnv(name)), run(migrationRun, dbEnv(name))]);
    expectOneLine(api, line);
    expectOneLine(migrate, line);
  });

  describe('on a migrated database', () => {
    let db: TestDatabase;
    let blocker: Server;
    beforeAll(async () => {
      db = await createTestDatabase('startup');
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => blocker.close(resolve));
      await db.drop();
    });

    it('port in use: names the port and PORT', async () => {
      const { port } = blocker.address() as { port: number };
      const outcome = await run(entry('src/main.ts'), { ...db.env, PORT: String(port), HOST: '127.0.0.1' });
      expectOneLine(outcome, `port ${port} on 127.0.0.1 is in use: stop the other process or set PORT`);
    });

    it('an invalid environment: one line naming the variable', async () => {
      const outcome = await run(entry('src/main.ts'), { ...db.env, DB_PORT: 'not-a-port', SHUTDOWN_GRACE_SECONDS: '-1' });
      expectOneLine(outcome, /^Invalid environment: DB_PORT: .+; SHUTDOWN_GRACE_SECONDS: /);
    });

    it('the migration CLI runs on a good server (nothing pending)', async () => {
      const outcome = await run(migrationRun, db.env);
      expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
      expect(outcome.stdout).toContain('No migrations are pending');
    });
  });
});
