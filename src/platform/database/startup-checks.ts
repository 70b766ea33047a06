import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Client } from 'pg';
import { Env } from '@cognition/config/env.schema';
import { pgClientConfig } from './pg-connection';

/**
 * Start-up checks of the database, run by every entry point before Nest starts: each failure is one
 * `StartupCheckError` whose message is the single line the process prints before exiting non-zero.
 *
 * 1. PostgreSQL is reachable (retried for DB_CONNECT_TIMEOUT_SECONDS, so a database that is still
 *    starting is waited for); a login or database-name problem fails at once, retrying can't fix it.
 * 2. The pgvector extension is available on the server, in version 0.8+.
 * 3. Every migration of `migrations/` has been applied (skipped for the migration CLI itself).
 */
export class StartupCheckError extends Error {
  override readonly name = 'StartupCheckError';
}

/** One SQL query, returning its rows: a pg client in production, a fake in unit tests. */
export type QueryFn = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface DatabaseCheckOptions {
  /**
   * The migrations the code expects (file names like `1764150000000-engine.ts`, or their timestamps);
   * default: the files in `migrations/`. `false` skips the schema check (for `migration:run` itself).
   */
  migrations?: readonly string[] | false;
  /** Seconds to keep retrying the connection (default DB_CONNECT_TIMEOUT_SECONDS). */
  connectTimeoutSeconds?: number;
}

export const MIGRATIONS_DIR = join(__dirname, '..', '..', '..', 'migrations');
export const MINIMUM_PGVECTOR = '0.8.0';

interface Target {
  host: string;
  port: number;
  database: string;
  user: string;
}

export async function checkDatabase(env: Env, options: DatabaseCheckOptions = {}): Promise<void> {
  const client = await connectWithRetry(env, options.connectTimeoutSeconds ?? env.DB_CONNECT_TIMEOUT_SECONDS);
  try {
    const query: QueryFn = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
    const expected = options.migrations === false ? false : (options.migrations ?? migrationFiles(MIGRATIONS_DIR));
    const problem = await schemaProblem(query, describeTarget(env).database, expected);
    if (problem) throw new StartupCheckError(problem);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The migration files of a directory (TypeScript or compiled JavaScript, not declarations or maps). */
export function migrationFiles(dir: string): string[] {
  const ext = extname(__filename);
  try {
    return readdirSync(dir)
      .filter((f) => /^\d+-.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && f.endsWith(ext))
      .sort();
  } catch {
    return [];
  }
}

/**
 * What is wrong with a reachable database, as the line to print, or undefined when nothing is:
 * pgvector first (migrating can't succeed without it), then the applied migrations.
 */
export async function schemaProblem(query: QueryFn, database: string, expectedMigrations: readonly string[] | false): Promise<string | undefined> {
  const [vector] = await query(`SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'`);
  if (!vector) return 'the pgvector extension is not installed on this PostgreSQL server: run scripts/install-pgvector.sh (or use a server with pgvector 0.8+)';
  const available = String(vector.default_version);
  const installed = vector.installed_version == null ? undefined : String(vector.installed_version);
  if (installed && olderThan(installed, MINIMUM_PGVECTOR)) {
    return olderThan(available, MINIMUM_PGVECTOR)
      ? `pgvector ${installed} is too old (0.8+ needed): run scripts/install-pgvector.sh (or use a server with pgvector 0.8+), then ALTER EXTENSION vector UPDATE in database "${database}"`
      : `pgvector ${installed} in database "${database}" is too old (0.8+ needed): run ALTER EXTENSION vector UPDATE in it (the server has ${available})`;
  }
  if (!installed && olderThan(available, MINIMUM_PGVECTOR)) {
    return `pgvector ${available} on this PostgreSQL server is too old (0.8+ needed): run scripts/install-pgvector.sh (or use a server with pgvector 0.8+)`;
  }
  if (expectedMigrations === false) return undefined;

  const expected = [...new Set(expectedMigrations.map(migrationTimestamp))];
  const [table] = await query(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS present`);
  const applied = table?.present ? new Set((await query(`SELECT "timestamp"::text AS ts FROM typeorm_migrations`)).map((r) => String(r.ts))) : new Set<string>();
  const done = expected.filter((ts) => applied.has(ts)).length;
  if (!table?.present || done < expected.length) {
    return `database "${database}" is not migrated (${done} of ${expected.length} migrations applied): run npm run migration:run`;
  }
  return undefined;
}

/** `1764150000000-engine.ts` → `1764150000000` (TypeORM stores the timestamp of each applied migration). */
function migrationTimestamp(nameOrTimestamp: string): string {
  const match = /^(\d+)/.exec(nameOrTimestamp) ?? /(\d{13})$/.exec(nameOrTimestamp);
  return match ? match[1] : nameOrTimestamp;
}

function olderThan(version: string, minimum: string): boolean {
  const parts = (v: string) => v.split(/[.-]/).map((p) => parseInt(p, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/** Where the env points, without the password (for a DATABASE_URL, host and port only are shown). */
export function describeTarget(env: Env): Target {
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    const socketHost = url.searchParams.get('host');
    return {
      host: socketHost ?? (url.hostname.replace(/^\[|\]$/g, '') || 'localhost'),
      port: Number(url.port || url.searchParams.get('port') || 5432),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres',
      user: decodeURIComponent(url.username) || 'postgres',
    };
  }
  return { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, user: env.DB_USER };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * For an error thrown while the app starts, after the check passed (PostgreSQL went away in between):
 * the same kind of one line, naming host:port. Other errors are returned unchanged.
 */
export function explainStartupError(error: unknown, env: Env): unknown {
  const code = error instanceof Error ? errorCode(error as ConnectError) : undefined;
  if (!code || !NETWORK_CODES.has(code)) return error;
  const target = describeTarget(env);
  return new StartupCheckError(`lost PostgreSQL at ${target.host}:${target.port} while starting (${code}): check that it is up, or set DATABASE_URL / DB_HOST`);
}

/** Network errors, a server starting up or full: worth waiting for. Anything else the server said is final. */
const RETRYABLE_SERVER_CODES = new Set(['57P03', '53300', '08006', '08001', '08004']);

interface ConnectError extends Error {
  code?: string;
  errors?: { code?: string }[];
}

function errorCode(error: ConnectError): string | undefined {
  return error.code ?? error.errors?.find((e) => e.code)?.code;
}

/** The line for a connection error that retrying cannot fix, or undefined when it is worth retrying. */
export function finalConnectProblem(error: ConnectError, target: Target): string | undefined {
  const code = errorCode(error);
  const at = `${target.host}:${target.port}`;
  if (code === '3D000') return `database "${target.database}" does not exist on PostgreSQL at ${at}: create it (createdb ${target.database}) and run npm run migration:run, or set DB_NAME / DATABASE_URL`;
  if (code === '28P01' || code === '28000') return `PostgreSQL at ${at} refused the login of user "${target.user}" (${error.message}): set DB_USER / DB_PASSWORD or DATABASE_URL`;
  if (code && /^[0-9A-Z]{5}$/.test(code) && !RETRYABLE_SERVER_CODES.has(code)) return `PostgreSQL at ${at} refused the connection (${code}: ${error.message})`;
  return undefined;
}

/**
 * Connects, retrying with a growing pause until `timeoutSeconds` have passed; then throws the one
 * line naming host:port and the last error's code.
 */
export async function connectWithRetry(env: Env, timeoutSeconds: number): Promise<Client> {
  const target = describeTarget(env);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let pause = 250;
  for (;;) {
    const remaining = deadline - Date.now();
    const client = new Client({
      ...pgClientConfig(env),
      application_name: 'cognition-os-startup-check',
      connectionTimeoutMillis: Math.max(1000, Math.min(remaining, 5000)),
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (caught) {
      await client.end().catch(() => undefined);
      const error = caught as ConnectError;
      const final = finalConnectProblem(error, target);
      if (final) throw new StartupCheckError(final);
      const left = deadline - Date.now();
      if (left <= 0) {
        const reason = errorCode(error) ?? (/timeout/i.test(error.message) ? 'timeout' : error.message);
        throw new StartupCheckError(
          `cannot reach PostgreSQL at ${target.host}:${target.port} after ${timeoutSeconds} s (${reason}): start it, or set DATABASE_URL / DB_HOST`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, 2000);
    }
  }
}
