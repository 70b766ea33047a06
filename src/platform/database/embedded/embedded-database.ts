import { relative, resolve, sep } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Env, validateEnv } from '@cognition/config/env.schema';
import { pgClientConfig } from '../pg-connection';
import { typeormOptions } from '../typeorm-options';
import { closeCluster, Cluster, openCluster } from './embedded-cluster';
import { usesEmbeddedDatabase } from './embedded-mode';

/**
 * The key of `.env.example`: with the embedded database and no BOOTSTRAP_API_KEY in the environment,
 * the server creates it (as the first tenant's key, when the database has none), so the README's
 * examples work at once. An empty BOOTSTRAP_API_KEY turns this off.
 */
export const EMBEDDED_BOOTSTRAP_API_KEY = 'cos_devlocal_change-me-to-a-long-random-secret';

export interface EmbeddedDatabase extends Cluster {
  database: string;
  /** Migrations this start applied. */
  migrated: string[];
}

let current: EmbeddedDatabase | undefined;

/**
 * For the entry points (server, worker, CLI, the TypeORM CLI's data source), before anything reads the
 * environment: when it names no database (neither DATABASE_URL nor DB_HOST, after `.env`), starts or
 * attaches to the embedded PostgreSQL in EMBEDDED_PG_DIR, creates DB_NAME in it, applies the pending
 * migrations and points `process.env`'s DB_* at it, so nothing else knows. Returns undefined, doing
 * nothing, when a database is configured.
 */
export async function openEmbeddedDatabaseIfUnconfigured(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase | undefined> {
  return current ?? (usesEmbeddedDatabase(process.env) ? openEmbeddedDatabase(options) : undefined);
}

export interface EmbeddedDatabaseOptions {
  /** Apply the pending migrations (default true). */
  migrate?: boolean;
  /** Print the start-up line on stderr (not with LOG_LEVEL=silent). */
  announce?: boolean;
}

/** The same, when the caller has decided already (the CLI decides before Nest fills the environment with defaults). */
export async function openEmbeddedDatabase(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  if (current) return current;
  const env = validateEnv(process.env);
  const cluster = await openCluster({ dir: resolve(env.EMBEDDED_PG_DIR), port: env.EMBEDDED_PG_PORT });
  Object.assign(process.env, { DB_HOST: cluster.host, DB_PORT: String(cluster.port), DB_USER: cluster.user, DB_PASSWORD: cluster.password, DB_SSL: 'false' });
  if (process.env.BOOTSTRAP_API_KEY === undefined) process.env.BOOTSTRAP_API_KEY = EMBEDDED_BOOTSTRAP_API_KEY;
  try {
    const connected = validateEnv(process.env);
    await createDatabase(connected);
    const migrated = options.migrate === false ? [] : await migrate(connected);
    current = { ...cluster, database: env.DB_NAME, migrated };
    if (options.announce && env.LOG_LEVEL !== 'silent') process.stderr.write(`${describeEmbeddedDatabase(current)}\n`);
    return current;
  } catch (error) {
    closeCluster(cluster.dir);
    throw error;
  }
}

/** Stops using the embedded database (the server stops when no other process uses it); after the app has closed its pools. */
export function closeEmbeddedDatabase(): void {
  if (!current) return;
  closeCluster(current.dir);
  current = undefined;
}

/** The one start-up line: mode, where the data is, how to use your own server. */
export function describeEmbeddedDatabase(db: EmbeddedDatabase): string {
  const migrated = db.migrated.length > 0 ? `, ${db.migrated.length} migration(s) applied` : '';
  return (
    `database: embedded PostgreSQL ${db.version} at ${db.host}:${db.port} (${db.started ? 'started' : 'already running'}${migrated}), ` +
    `database "${db.database}", data in ${displayPath(db.dir)}; set DATABASE_URL (or DB_HOST) to use your own PostgreSQL`
  );
}

function displayPath(dir: string): string {
  const inside = relative(process.cwd(), dir);
  return inside && !inside.startsWith('..') && !inside.startsWith(sep) ? inside : dir;
}

async function createDatabase(env: Env): Promise<void> {
  const client = new Client({ ...pgClientConfig(env, 'cognition-os-embedded'), database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [env.DB_NAME]);
    if (rows.length > 0) return;
    // Another process may create it meanwhile (42P04: it exists).
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(env.DB_NAME)}`).catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error;
    });
  } finally {
    await client.end();
  }
}

/** Applies the pending migrations, one process at a time (an advisory lock: the server and a worker may start together). */
async function migrate(env: Env): Promise<string[]> {
  const lock = new Client(pgClientConfig(env, 'cognition-os-migrations'));
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('cognitionos.embedded-migrations'))`);
    // Migrations are SQL: no entities needed (the platform does not know the modules').
    const dataSource = await new DataSource({ ...typeormOptions(env, []), extra: { max: 1, application_name: 'cognition-os-migrations' } }).initialize();
    try {
      return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } catch (error) {
    throw new Error(`migrating the embedded database failed: ${(error as Error).message}`);
  } finally {
    await lock.end().catch(() => undefined);
  }
}
