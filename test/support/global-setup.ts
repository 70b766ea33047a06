import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from '@cognition/config/env.schema';
import { appTypeormOptions } from '@cognition/app/orm-entities';
import { adminQuery, adminRows, TEMPLATE_DB_ENV, TEST_DB, testDatabaseCreatedAt, testDatabaseName } from './test-database';

/** Test databases left by runs that crashed are dropped once they are this old (a run takes minutes). */
const STALE_AFTER_MS = 6 * 3600_000;

/**
 * Builds this run's template database: a fresh database with every migration applied, under a name of
 * its own (another run on the same server builds and drops its own). The name reaches the test files
 * through the environment, which jest's workers inherit (they start after this) and which `--runInBand`
 * shares. `global-teardown.ts` drops it.
 */
export default async function globalSetup(): Promise<void> {
  await dropStaleTestDatabases();
  const template = testDatabaseName('template');
  process.env[TEMPLATE_DB_ENV] = template;
  await adminQuery(`CREATE DATABASE "${template}"`);
  const env = validateEnv({ DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: template });
  const ds = new DataSource(appTypeormOptions(env));
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
  } catch (error) {
    await ds.destroy().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    throw new Error(`Migrations failed on the test template (is pgvector installed? run scripts/install-pgvector.sh): ${(error as Error).message}`);
  }
  await ds.destroy();
}

/**
 * Drops `cos_test_*` databases (suites' and templates') of runs that ended without cleaning up: only
 * those whose name says they are older than STALE_AFTER_MS, and never one in use — the drop is not
 * forced, so PostgreSQL refuses it while anyone is connected, and the refusal is ignored.
 */
async function dropStaleTestDatabases(): Promise<void> {
  const rows = await adminRows<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'cos\\_test\\_%' AND NOT datistemplate`);
  const stale = rows.map((r) => r.datname).filter((name) => (testDatabaseCreatedAt(name) ?? Infinity) < Date.now() - STALE_AFTER_MS);
  for (const name of stale) await adminQuery(`DROP DATABASE IF EXISTS "${name}"`).catch(() => undefined);
}
