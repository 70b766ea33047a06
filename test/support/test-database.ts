import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { Client } from 'pg';
import { usesEmbeddedDatabase } from '@cognition/platform/database/embedded/embedded-mode';

/**
 * Connection to the PostgreSQL used by integration and e2e tests (TEST_DB_*): the local one at
 * 127.0.0.1:5432 by default, or the embedded test cluster, whose address `global-setup.ts` puts in
 * TEST_DB_* (read when used, so after it has). Getters: spread them (`{ ...TEST_DB }`) where needed.
 */
export const TEST_DB = {
  get host() {
    return process.env.TEST_DB_HOST ?? '127.0.0.1';
  },
  get port() {
    const ports = testDbPorts();
    // One server per jest worker: worker n (JEST_WORKER_ID, from 1) takes the n-th port.
    if (ports.length > 0) return ports[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % ports.length];
    return Number(process.env.TEST_DB_PORT ?? 5432);
  },
  get user() {
    return process.env.TEST_DB_USER ?? 'postgres';
  },
  get password() {
    return process.env.TEST_DB_PASSWORD ?? '';
  },
};

/**
 * TEST_DB_PORTS (`5432,5433`): a parallel run, one PostgreSQL server per jest worker, all on
 * TEST_DB_HOST with the same users and pgvector (scripts/start-test-postgres.sh makes a second local
 * cluster); jest.config.js starts as many workers as ports. Not two workers on one server: the outbox
 * relay reads only events older than every transaction running on the server, so one suite's open
 * transaction would hold back the delivery of a suite in another database.
 */
export function testDbPorts(env: Record<string, string | undefined> = process.env): number[] {
  const ports = (env.TEST_DB_PORTS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(Number);
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new Error(`TEST_DB_PORTS must be ports separated by commas, got "${env.TEST_DB_PORTS}"`);
  return ports;
}

/** Every server this run uses: the TEST_DB_PORTS, or the one TEST_DB names. */
export function testDbServerPorts(): number[] {
  const ports = testDbPorts();
  return ports.length > 0 ? ports : [TEST_DB.port];
}

/** The embedded test cluster's data directory (reused from run to run; delete it to start afresh). */
export const TEST_EMBEDDED_PG_DIR = join(__dirname, '..', '..', '.data', 'pg-test');

/** The data directory of worker n's embedded test cluster (from 0): .data/pg-test, .data/pg-test-2, … */
export function embeddedTestClusterDir(index: number): string {
  return index === 0 ? TEST_EMBEDDED_PG_DIR : `${TEST_EMBEDDED_PG_DIR}-${index + 1}`;
}

/**
 * The tests use the embedded test cluster when no database is configured: neither TEST_DB_HOST nor
 * TEST_DB_PORT is set, and the app's rule (usesEmbeddedDatabase: neither DATABASE_URL nor DB_HOST, in
 * the environment or `./.env`) would pick the embedded PostgreSQL too. Otherwise they use TEST_DB_*
 * (default 127.0.0.1:5432), as before: a machine set up with `npm run setup` (whose .env sets DB_HOST)
 * keeps testing on its PostgreSQL.
 */
export function usesEmbeddedTestDatabase(env: Record<string, string | undefined> = process.env, dotEnvFile = join(__dirname, '..', '..', '.env')): boolean {
  if (env.TEST_DB_HOST || env.TEST_DB_PORT || env.TEST_DB_PORTS) return false;
  const fromFile = existsSync(dotEnvFile) ? parseEnv(readFileSync(dotEnvFile, 'utf8')) : {};
  return usesEmbeddedDatabase({ ...fromFile, ...env });
}

/**
 * The migrated template of this run. `global-setup.ts` names it uniquely (two runs on one server must
 * not share it) and passes the name to the test files — in-band or in worker processes — through
 * this variable; `global-teardown.ts` drops it.
 */
export const TEMPLATE_DB_ENV = 'COS_TEST_TEMPLATE_DB';

/** Set by `global-setup.ts` while this run uses the embedded test cluster: its data directory, for `global-teardown.ts`. */
export const EMBEDDED_TEST_CLUSTER_ENV = 'COS_TEST_EMBEDDED_PG_DIR';

export function templateDatabase(): string {
  const name = process.env[TEMPLATE_DB_ENV];
  if (!name) throw new Error(`${TEMPLATE_DB_ENV} is not set: run the tests through jest, whose globalSetup builds the template database`);
  return name;
}

/** Names of test databases end in `_<pid>_<Date.now() in base 36>`, so a stale one can be told by its age. */
export function testDatabaseName(label: string): string {
  return `cos_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
}

/** When a test database was created, from its name; undefined for names not made by `testDatabaseName`. */
export function testDatabaseCreatedAt(name: string): number | undefined {
  const match = /^cos_test_.+_\d+_([0-9a-z]{8,9})$/.exec(name);
  const at = match ? parseInt(match[1], 36) : NaN;
  return at > Date.UTC(2024, 0, 1) && at < Date.now() + 86_400_000 ? at : undefined;
}

/** `port`: one of testDbServerPorts() (global setup and teardown visit each); default this worker's. */
export async function adminRows<T>(sql: string, params: unknown[] = [], database = 'postgres', port = TEST_DB.port): Promise<T[]> {
  const client = new Client({ ...TEST_DB, port, database });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function adminQuery(sql: string, database = 'postgres', port = TEST_DB.port): Promise<void> {
  const client = new Client({ ...TEST_DB, port, database });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: each suite gets its own. */
export async function createTestDatabase(label = 'suite'): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabase()}"`);
  return {
    name,
    env: { DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: name },
    drop: () => dropTestDatabase(name),
  };
}

/**
 * Drops a test database. A pool's `end()` resolves before its sessions have gone (the Terminate is
 * sent, not awaited); FORCE would then kill them mid-exit and their clients raise an unhandled
 * 'error'. So wait (briefly) for the sessions to leave, then force whatever is left.
 */
async function dropTestDatabase(name: string): Promise<void> {
  const client = new Client({ ...TEST_DB, database: 'postgres' });
  await client.connect();
  try {
    for (let i = 0; i < 40; i++) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [name]);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Env for a test process: quiet logs, no key cache (revocation is immediate), fast outbox poll. */
export function testEnv(db: TestDatabase, extra: Record<string, string> = {}): void {
  delete process.env.DATABASE_URL;
  Object.assign(process.env, db.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEY_CACHE_SECONDS: '0', OUTBOX_POLL_MS: '200', BOOTSTRAP_API_KEY: '', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000' }, extra);
}
