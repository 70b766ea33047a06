import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from '../../src/config/env.schema';
import { appTypeormOptions } from '../../src/orm-entities';
import { adminQuery, TEMPLATE_DB, TEST_DB } from './test-database';

/** Builds the template database once per run: a fresh database with every migration applied. */
export default async function globalSetup(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${TEMPLATE_DB}"`);
  const env = validateEnv({ DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: TEMPLATE_DB });
  const ds = new DataSource(appTypeormOptions(env));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } catch (error) {
    throw new Error(`Migrations failed on the test template (is pgvector installed? run scripts/install-pgvector.sh): ${(error as Error).message}`);
  } finally {
    await ds.destroy();
  }
}
