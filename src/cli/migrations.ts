import { DataSource } from 'typeorm';
import { validateEnv } from '@cognition/config/env.schema';
import { appTypeormOptions } from '@cognition/app/orm-entities';
import { checkDatabase } from '@cognition/platform/database/startup-checks';

export interface MigrationState {
  name: string;
  applied: boolean;
}

/** Every migration the code ships (in order) and whether the database has applied it. */
export async function migrationStates(dataSource: DataSource): Promise<MigrationState[]> {
  const [table] = await dataSource.query(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS present`);
  const applied = new Set<string>(table?.present ? (await dataSource.query(`SELECT name FROM typeorm_migrations`)).map((r: { name: string }) => r.name) : []);
  return dataSource.migrations
    .map((m) => m.name ?? m.constructor.name)
    .sort((a, b) => timestamp(a) - timestamp(b))
    .map((name) => ({ name, applied: applied.has(name) }));
}

/** Applies the pending migrations, each in its own transaction; returns the names applied. */
export async function applyMigrations(dataSource: DataSource): Promise<string[]> {
  const done = await dataSource.runMigrations({ transaction: 'each' });
  return done.map((m) => m.name);
}

/**
 * For an application that embeds CognitionOS: applies our pending migrations to the database the
 * environment names (the same variables as the app: DATABASE_URL or DB_*), before the app starts.
 * The CLI equivalent is `cognition-os migration:run`.
 */
export async function runMigrations(rawEnv: Record<string, unknown> = process.env): Promise<string[]> {
  const env = validateEnv(rawEnv);
  await checkDatabase(env, { migrations: false });
  const dataSource = await new DataSource({ ...appTypeormOptions(env), extra: { max: 1, application_name: 'cognition-os-migrations' } }).initialize();
  try {
    return await applyMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

function timestamp(name: string): number {
  return Number(/(\d{13})$/.exec(name)?.[1] ?? 0);
}
