/** Admin access to the local PostgreSQL for benchmarks (same DB_* variables as the app). */
import { Client, ClientConfig } from 'pg';

export function pgAdminConfig(database = 'postgres'): ClientConfig {
  return {
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USER || 'postgres',
    password: process.env.DB_PASSWORD || '',
    database,
  };
}

export async function pgQuery<T = Record<string, unknown>>(sql: string, database = 'postgres'): Promise<T[]> {
  const client = new Client(pgAdminConfig(database));
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Drops (if it exists) and creates an empty database with this name. */
export async function recreateDatabase(name: string): Promise<void> {
  await dropDatabase(name);
  await pgQuery(`CREATE DATABASE "${name}"`);
}

/** When the last `DROP DATABASE … WITH (FORCE)` of this process ended (0: none yet). */
let lastForcedDrop = 0;
/** How long after a forced drop the terminations it causes may still arrive. */
const DROP_ECHO_MS = 5_000;

/** `DROP DATABASE IF EXISTS … WITH (FORCE)`: terminates the connections a target left open. */
export async function dropDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  lastForcedDrop = Date.now();
  try {
    await pgQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    lastForcedDrop = Date.now();
  }
}

/**
 * A connection a peer still held when its database was dropped with FORCE fails with 57P01
 * ("terminating connection due to administrator command"). Some libraries let that error escape
 * (graphile-worker 0.17, under load, once ended a quick run at its teardown), which ends the
 * process. Installed by a bench's main: such an error within a few seconds of a forced drop is
 * logged and ignored; every other uncaught error still ends the process with status 1.
 */
export function tolerateDropTerminations(log: (message: string) => void): void {
  const handle = (error: unknown) => {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    // 57P01 on the connection, then node-postgres's own error for the query it had in flight.
    const terminated = code === '57P01' || message === 'Connection terminated unexpectedly';
    if (terminated && lastForcedDrop > 0 && Date.now() - lastForcedDrop < DROP_ECHO_MS) {
      log(`ignored: a connection terminated by a forced DROP DATABASE (${(error as Error).message})`);
      return;
    }
    console.error(error);
    process.exit(1);
  };
  process.on('uncaughtException', handle);
  process.on('unhandledRejection', handle);
}

/** The server's version, and whether autovacuum runs (it is off on this project's CI machines: dead rows then stay until a VACUUM). */
export async function postgresVersion(): Promise<string> {
  const [row] = await pgQuery<{ version: string; autovacuum: string }>(`select version(), current_setting('autovacuum') as autovacuum`);
  return `${row.version} (autovacuum ${row.autovacuum})`;
}
