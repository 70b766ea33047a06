import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { DataSource } from 'typeorm';
import { validateEnv } from '@cognition/config/env.schema';
import { appTypeormOptions } from '@cognition/app/orm-entities';
import { openCluster } from '@cognition/platform/database/embedded/embedded-cluster';
import { adminQuery, adminRows, EMBEDDED_TEST_CLUSTER_ENV, embeddedTestClusterDir, TEMPLATE_DB_ENV, TEST_DB, testDatabaseCreatedAt, testDatabaseName, testDbServerPorts, usesEmbeddedTestDatabase } from './test-database';

/** Test databases left by runs that crashed are dropped once they are this old (a run takes minutes). */
const STALE_AFTER_MS = 6 * 3600_000;

/**
 * Builds this run's template database: a fresh database with every migration applied, under a name of
 * its own (another run on the same server builds and drops its own). The name reaches the test files
 * through the environment, which jest's workers inherit (they start after this) and which `--runInBand`
 * shares. `global-teardown.ts` drops it. A parallel run (TEST_DB_PORTS) builds it on every server.
 *
 * With no database configured (usesEmbeddedTestDatabase), it first starts one embedded cluster per
 * jest worker (test-workers.js: two by default), or attaches to those another run is using, in
 * .data/pg-test, .data/pg-test-2, … (fsync off, trust on 127.0.0.1), and hands their address to the
 * test files as TEST_DB_* and TEST_DB_PORTS; `global-teardown.ts` stops them (unless another run
 * still uses them).
 */
export default async function globalSetup(globalConfig?: { maxWorkers?: number }): Promise<void> {
  buildDashboardIfStale();
  if (usesEmbeddedTestDatabase()) await startEmbeddedClusters(Math.max(1, globalConfig?.maxWorkers ?? 1));
  const template = testDatabaseName('template');
  process.env[TEMPLATE_DB_ENV] = template;
  // A parallel run (TEST_DB_PORTS) has one server per worker: each gets the template, built side by side.
  await Promise.all(testDbServerPorts().map((port) => buildTemplate(template, port)));
}

async function buildTemplate(template: string, port: number): Promise<void> {
  await dropStaleTestDatabases(port);
  await adminQuery(`CREATE DATABASE "${template}"`, 'postgres', port);
  const env = validateEnv({ DB_HOST: TEST_DB.host, DB_PORT: String(port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: template });
  const ds = new DataSource(appTypeormOptions(env));
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
  } catch (error) {
    await ds.destroy().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`, 'postgres', port);
    throw new Error(`Migrations failed on the test template at port ${port} (is pgvector installed? run scripts/install-pgvector.sh): ${(error as Error).message}`);
  }
  await ds.destroy();
}

/**
 * The browser tests (test/e2e/ui) drive the dashboard the app serves from dist/ui: it is built here,
 * once per run, when missing or older than ui/ or the typed client (a stat walk when it is fresh, a
 * second or two of `vite build` when not), so a test never runs against a stale build.
 */
function buildDashboardIfStale(): void {
  const result = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-if-stale.js'), '--ui'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`The dashboard build failed (node scripts/build-if-stale.js --ui):\n${result.stdout}${result.stderr}`);
}

/** One embedded cluster per worker, one after the other (each `initdb`s on first use); worker n uses the n-th. */
async function startEmbeddedClusters(count: number): Promise<void> {
  const clusters = [];
  for (let i = 0; i < count; i++) {
    clusters.push(
      await openCluster({
        dir: embeddedTestClusterDir(i),
        port: i === 0 && process.env.TEST_EMBEDDED_PG_PORT ? Number(process.env.TEST_EMBEDDED_PG_PORT) : undefined,
        // Durability is not under test: a crash of the machine loses only test databases.
        settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
        // Like the machines' own PostgreSQL (trust on 127.0.0.1): tests connect with whatever password they set.
        auth: 'trust',
      }),
    );
  }
  const [first] = clusters;
  Object.assign(process.env, {
    TEST_DB_HOST: first.host,
    TEST_DB_PORT: String(first.port),
    TEST_DB_USER: first.user,
    TEST_DB_PASSWORD: first.password,
    [EMBEDDED_TEST_CLUSTER_ENV]: clusters.map((c) => c.dir).join(delimiter),
  });
  if (count > 1) process.env.TEST_DB_PORTS = clusters.map((c) => c.port).join(',');
}

/**
 * Drops `cos_test_*` databases (suites' and templates') of runs that ended without cleaning up: only
 * those whose name says they are older than STALE_AFTER_MS, and never one in use — the drop is not
 * forced, so PostgreSQL refuses it while anyone is connected, and the refusal is ignored.
 */
async function dropStaleTestDatabases(port: number): Promise<void> {
  const rows = await adminRows<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'cos\\_test\\_%' AND NOT datistemplate`, [], 'postgres', port);
  const stale = rows.map((r) => r.datname).filter((name) => (testDatabaseCreatedAt(name) ?? Infinity) < Date.now() - STALE_AFTER_MS);
  for (const name of stale) await adminQuery(`DROP DATABASE IF EXISTS "${name}"`, 'postgres', port).catch(() => undefined);
}
