/**
 * The data source the TypeORM CLI loads (`npm run migration:*`, and `typeorm migration:run -d
 * dist/src/data-source.js` in the image), with no Nest involved. It reads the same validated
 * environment as the app (and `.env` when present).
 *
 * The export is a promise (the TypeORM CLI awaits it): before any migration command runs, the
 * start-up check waits for PostgreSQL and checks pgvector, so an unreachable server or a missing
 * pgvector ends in one line that says what to do (`run scripts/install-pgvector.sh`) instead of a
 * failed `CREATE EXTENSION` deep in the first migration. The schema itself is not checked: migrating
 * it is the point. With no database configured, it is the embedded PostgreSQL (not migrated here:
 * that is the command's work), stopped by the `exit` hook unless another process uses it.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { validateEnv } from '@cognition/config/env.schema';
import { openEmbeddedDatabaseIfUnconfigured } from '@cognition/platform/database/embedded/embedded-database';
import { checkDatabase } from '@cognition/platform/database/startup-checks';
import { exitOnStartupFailure } from '@cognition/platform/lifecycle/startup-failure';
import { appTypeormOptions } from './orm-entities';

async function migrationDataSource(): Promise<DataSource> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  await openEmbeddedDatabaseIfUnconfigured({ migrate: false, announce: true });
  const env = validateEnv(process.env);
  await checkDatabase(env, { migrations: false });
  return new DataSource(appTypeormOptions(env));
}

export default migrationDataSource().catch(exitOnStartupFailure);
