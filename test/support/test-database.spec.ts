import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedTestClusterDir, TEST_DB, TEST_EMBEDDED_PG_DIR, testDbPorts, usesEmbeddedTestDatabase } from './test-database';
import { noDatabaseConfigured, testWorkers } from './test-workers';

describe('usesEmbeddedTestDatabase: the rule of npm test (README, "Run the tests")', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'test-db-rule-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const noFile = () => join(dir, 'absent.env');
  const file = (text: string) => {
    const path = join(dir, `${Math.random()}.env`);
    writeFileSync(path, text);
    return path;
  };

  it('nothing configured: the embedded test cluster', () => {
    expect(usesEmbeddedTestDatabase({}, noFile())).toBe(true);
    expect(usesEmbeddedTestDatabase({ DB_HOST: '', DATABASE_URL: '' }, noFile())).toBe(true);
    expect(usesEmbeddedTestDatabase({}, file('PORT=3000\n# DB_HOST=127.0.0.1\n'))).toBe(true);
  });

  it('TEST_DB_HOST or TEST_DB_PORT: that server (CI sets TEST_DB_HOST for the system PostgreSQL)', () => {
    expect(usesEmbeddedTestDatabase({ TEST_DB_HOST: '127.0.0.1' }, noFile())).toBe(false);
    expect(usesEmbeddedTestDatabase({ TEST_DB_PORT: '5433' }, noFile())).toBe(false);
    expect(usesEmbeddedTestDatabase({ TEST_DB_PORTS: '5432,5433' }, noFile())).toBe(false);
  });

  it('DB_HOST or DATABASE_URL in the environment or ./.env (npm run setup writes DB_HOST): TEST_DB_*, default 127.0.0.1:5432, as before', () => {
    expect(usesEmbeddedTestDatabase({ DB_HOST: '127.0.0.1' }, noFile())).toBe(false);
    expect(usesEmbeddedTestDatabase({ DATABASE_URL: 'postgres://x@y/z' }, noFile())).toBe(false);
    expect(usesEmbeddedTestDatabase({}, file('DB_HOST=127.0.0.1\n'))).toBe(false);
    // The environment wins over the file, as for the app (an empty value counts as unset).
    expect(usesEmbeddedTestDatabase({ DB_HOST: '' }, file('DB_HOST=127.0.0.1\n'))).toBe(true);
  });

  it('jest.config.js decides the worker count with the same rule (test-workers.js, plain CommonJS)', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, noFile()],
      [{ DB_HOST: '', DATABASE_URL: '' }, noFile()],
      [{}, file('PORT=3000\n# DB_HOST=127.0.0.1\n')],
      [{ TEST_DB_HOST: '127.0.0.1' }, noFile()],
      [{ TEST_DB_PORT: '5433' }, noFile()],
      [{ TEST_DB_PORTS: '5432,5433' }, noFile()],
      [{ DB_HOST: '127.0.0.1' }, noFile()],
      [{ DATABASE_URL: 'postgres://x@y/z' }, noFile()],
      [{}, file('DB_HOST=127.0.0.1\n')],
      [{}, file('DATABASE_URL=postgres://x@y/z\n')],
      [{ DB_HOST: '' }, file('DB_HOST=127.0.0.1\n')],
      [{ NODE_ENV: 'production' }, noFile()],
      [{}, file('NODE_ENV=production\n')],
    ];
    for (const [env, dotEnv] of cases) expect([env, noDatabaseConfigured(env, dotEnv)]).toEqual([env, usesEmbeddedTestDatabase(env, dotEnv)]);
  });
});

describe('testWorkers: the jest workers of a run', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'test-workers-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const noFile = () => join(dir, 'absent.env');

  it('one per TEST_DB_PORTS server; one configured server runs in band', () => {
    expect(testWorkers({ TEST_DB_PORTS: '5432,5433' }, noFile(), 2)).toBe(2);
    expect(testWorkers({ TEST_DB_HOST: '127.0.0.1' }, noFile(), 8)).toBe(1);
    expect(testWorkers({ DB_HOST: '127.0.0.1' }, noFile(), 8)).toBe(1);
  });

  it('nothing configured: one per embedded cluster, TEST_EMBEDDED_WORKERS (default 2) up to the CPU count', () => {
    expect(testWorkers({}, noFile(), 2)).toBe(2);
    expect(testWorkers({}, noFile(), 1)).toBe(1);
    expect(testWorkers({ TEST_EMBEDDED_WORKERS: '3' }, noFile(), 8)).toBe(3);
    expect(testWorkers({ TEST_EMBEDDED_WORKERS: '1' }, noFile(), 8)).toBe(1);
    expect(() => testWorkers({ TEST_EMBEDDED_WORKERS: 'two' }, noFile(), 8)).toThrow(/TEST_EMBEDDED_WORKERS/);
    expect(() => testWorkers({ TEST_EMBEDDED_WORKERS: '0' }, noFile(), 8)).toThrow(/TEST_EMBEDDED_WORKERS/);
  });

  it('worker n of an embedded run has its own data directory', () => {
    expect(embeddedTestClusterDir(0)).toBe(TEST_EMBEDDED_PG_DIR);
    expect(embeddedTestClusterDir(1)).toBe(`${TEST_EMBEDDED_PG_DIR}-2`);
  });
});

describe('TEST_DB_PORTS: one PostgreSQL server per jest worker', () => {
  const saved = { ports: process.env.TEST_DB_PORTS, worker: process.env.JEST_WORKER_ID };
  const restore = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  afterEach(() => {
    restore('TEST_DB_PORTS', saved.ports);
    restore('JEST_WORKER_ID', saved.worker);
  });

  it('parses the list and refuses what is not a port', () => {
    expect(testDbPorts({})).toEqual([]);
    expect(testDbPorts({ TEST_DB_PORTS: '5432, 5433' })).toEqual([5432, 5433]);
    expect(() => testDbPorts({ TEST_DB_PORTS: '5432,postgres' })).toThrow(/TEST_DB_PORTS/);
    expect(() => testDbPorts({ TEST_DB_PORTS: '70000' })).toThrow(/TEST_DB_PORTS/);
  });

  it('worker n connects to the n-th port', () => {
    process.env.TEST_DB_PORTS = '5432,5433';
    process.env.JEST_WORKER_ID = '1';
    expect(TEST_DB.port).toBe(5432);
    process.env.JEST_WORKER_ID = '2';
    expect(TEST_DB.port).toBe(5433);
  });
});
