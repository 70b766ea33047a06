import { Client } from 'pg';

/** Connection to the local PostgreSQL used by integration and e2e tests (override with TEST_DB_*). */
export const TEST_DB = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 5432),
  user: process.env.TEST_DB_USER ?? 'postgres',
  password: process.env.TEST_DB_PASSWORD ?? '',
};
export const TEMPLATE_DB = 'cognition_os_test_template';

export async function adminQuery(sql: string, database = 'postgres'): Promise<void> {
  const client = new Client({ ...TEST_DB, database });
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
  const name = `cos_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
  return {
    name,
    env: { DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: name },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Env for a test process: quiet logs, no key cache (revocation is immediate), fast outbox poll. */
export function testEnv(db: TestDatabase, extra: Record<string, string> = {}): void {
  delete process.env.DATABASE_URL;
  Object.assign(process.env, db.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEY_CACHE_SECONDS: '0', OUTBOX_POLL_MS: '200', BOOTSTRAP_API_KEY: '' }, extra);
}
