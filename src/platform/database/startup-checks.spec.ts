import { validateEnv } from '@cognition/config/env.schema';
import { describeTarget, explainStartupError, finalConnectProblem, migrationFiles, MIGRATIONS_DIR, QueryFn, schemaProblem } from './startup-checks';

/**
 * Which line a start-up check prints, decided from what the server answers. pgvector missing can't be
 * reproduced on a server that has it, so these run against a fake query function.
 */
function fakeServer(state: { vector?: { default_version: string; installed_version: string | null } | null; migrationsTable?: boolean; applied?: string[] }): QueryFn {
  return async (sql) => {
    if (sql.includes('pg_available_extensions')) return state.vector === null ? [] : [state.vector ?? { default_version: '0.8.0', installed_version: '0.8.0' }];
    if (sql.includes('to_regclass')) return [{ present: state.migrationsTable ?? true }];
    if (sql.includes('FROM typeorm_migrations')) return (state.applied ?? []).map((ts) => ({ ts }));
    throw new Error(`unexpected query: ${sql}`);
  };
}

const expected = ['1764150000000-extensions-and-platform.ts', '1764150100000-workflows.ts', '1764150200000-engine.ts'];
const all = ['1764150000000', '1764150100000', '1764150200000'];

describe('start-up checks: the line for each problem', () => {
  it('says nothing when pgvector is there and every migration is applied (extra applied ones are fine)', async () => {
    expect(await schemaProblem(fakeServer({ applied: [...all, '1799999999999'] }), 'cos', expected)).toBeUndefined();
  });

  it('names the install script when the server has no pgvector, before looking at migrations', async () => {
    const line = await schemaProblem(fakeServer({ vector: null, migrationsTable: false }), 'cos', expected);
    expect(line).toBe('the pgvector extension is not installed on this PostgreSQL server: run scripts/install-pgvector.sh (or use a server with pgvector 0.8+)');
  });

  it('asks for pgvector 0.8+ when the server or the database has an older one', async () => {
    expect(await schemaProblem(fakeServer({ vector: { default_version: '0.7.4', installed_version: null } }), 'cos', expected)).toMatch(
      /^pgvector 0\.7\.4 on this PostgreSQL server is too old \(0\.8\+ needed\): run scripts\/install-pgvector\.sh/,
    );
    expect(await schemaProblem(fakeServer({ vector: { default_version: '0.8.1', installed_version: '0.7.0' } }), 'cos', expected)).toMatch(/ALTER EXTENSION vector UPDATE/);
    expect(await schemaProblem(fakeServer({ vector: { default_version: '0.10.0', installed_version: '0.10.0' }, applied: all }), 'cos', expected)).toBeUndefined();
  });

  it('names npm run migration:run when the database has no migrations table, or misses some', async () => {
    expect(await schemaProblem(fakeServer({ migrationsTable: false }), 'cos', expected)).toBe(
      'database "cos" is not migrated (0 of 3 migrations applied): run npm run migration:run',
    );
    expect(await schemaProblem(fakeServer({ applied: all.slice(0, 2) }), 'cos', expected)).toBe(
      'database "cos" is not migrated (2 of 3 migrations applied): run npm run migration:run',
    );
  });

  it('skips the schema for the migration commands, but still checks pgvector', async () => {
    expect(await schemaProblem(fakeServer({ migrationsTable: false }), 'cos', false)).toBeUndefined();
    expect(await schemaProblem(fakeServer({ vector: null }), 'cos', false)).toMatch(/install-pgvector/);
  });

  it('reads the migration files of migrations/', () => {
    const files = migrationFiles(MIGRATIONS_DIR);
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(files.every((f) => /^\d{13}-.+\.ts$/.test(f))).toBe(true);
  });
});

describe('start-up checks: where the database is, never the password', () => {
  it('takes host, port and name from DATABASE_URL without its password', () => {
    const env = validateEnv({ DATABASE_URL: 'postgres://app:s3cret@db.internal:6543/cognition' });
    expect(describeTarget(env)).toEqual({ host: 'db.internal', port: 6543, database: 'cognition', user: 'app' });
    expect(JSON.stringify(describeTarget(env))).not.toContain('s3cret');
    expect(describeTarget(validateEnv({ DATABASE_URL: 'postgresql://app@[::1]/x' }))).toMatchObject({ host: '::1', port: 5432, database: 'x' });
  });

  it('fails at once on a missing database or a refused login, and retries network errors', () => {
    const target = { host: 'h', port: 1, database: 'd', user: 'u' };
    expect(finalConnectProblem(Object.assign(new Error('database "d" does not exist'), { code: '3D000' }), target)).toMatch(/^database "d" does not exist on PostgreSQL at h:1: create it/);
    expect(finalConnectProblem(Object.assign(new Error('password authentication failed for user "u"'), { code: '28P01' }), target)).toMatch(/refused the login of user "u"/);
    expect(finalConnectProblem(Object.assign(new Error('the database system is starting up'), { code: '57P03' }), target)).toBeUndefined();
    expect(finalConnectProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), target)).toBeUndefined();
    expect(finalConnectProblem(new Error('Connection terminated due to connection timeout'), target)).toBeUndefined();
  });

  it('explains a connection lost while Nest starts, and leaves other errors alone', () => {
    const env = validateEnv({ DB_HOST: '10.0.0.9', DB_PORT: '5433', DB_PASSWORD: 'pw' });
    const lost = explainStartupError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), env) as Error;
    expect(lost.message).toBe('lost PostgreSQL at 10.0.0.9:5433 while starting (ECONNRESET): check that it is up, or set DATABASE_URL / DB_HOST');
    const other = new Error('Nest cannot resolve dependencies');
    expect(explainStartupError(other, env)).toBe(other);
  });
});
