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
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  await pgQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await pgQuery(`CREATE DATABASE "${name}"`);
}

/** The server's version, and whether autovacuum runs (it is off on this project's CI machines: dead rows then stay until a VACUUM). */
export async function postgresVersion(): Promise<string> {
  const [row] = await pgQuery<{ version: string; autovacuum: string }>(`select version(), current_setting('autovacuum') as autovacuum`);
  return `${row.version} (autovacuum ${row.autovacuum})`;
}
