import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { adminQuery, TEST_DB } from '@cognition/test-support/test-database';
import { validateEnv } from './config/env.schema';
import { appTypeormOptions } from './orm-entities';

/** The migrations own the schema: they must match the entities exactly and revert cleanly. */
describe('migrations (real PostgreSQL)', () => {
  const name = `cos_test_migrations_${process.pid}`;
  let ds: DataSource;

  beforeAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE "${name}"`);
    const env = validateEnv({ DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: name });
    ds = new DataSource(appTypeormOptions(env));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  const tables = async () =>
    (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations' ORDER BY 1`)).map(
      (r: { table_name: string }) => r.table_name,
    );

  it('creates the extensions and a schema with no drift from the entities', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.length).toBe(ds.migrations.length);
    const extensions = (await ds.query(`SELECT extname FROM pg_extension`)).map((r: { extname: string }) => r.extname);
    expect(extensions).toEqual(expect.arrayContaining(['vector', 'pgcrypto', 'ltree']));
    const drift = await ds.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reverts every migration, one at a time, down to an empty schema, and applies them again', async () => {
    const count = ds.migrations.length;
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    expect(await ds.showMigrations()).toBe(true);
    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(expect.arrayContaining(['api_keys', 'domain_events', 'event_subscriptions', 'tenants', 'workflows']));
  });
});
