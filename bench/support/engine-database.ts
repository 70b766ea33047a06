import { ClientConfig } from 'pg';

/**
 * Points this process's environment at a bench database (connection from `config`, then `env`, which
 * may override anything) and applies every migration to it, as the app would find it. The benches
 * that embed the engine call this before importing the app's modules (ConfigModule reads the env).
 */
export async function migrateBenchDatabase(config: ClientConfig, database: string, env: Record<string, string>): Promise<void> {
  Object.assign(process.env, {
    DB_HOST: config.host,
    DB_PORT: String(config.port),
    DB_USER: config.user,
    DB_PASSWORD: String(config.password ?? ''),
    DB_NAME: database,
    BOOTSTRAP_API_KEY: '',
    ...env,
  });
  delete process.env.DATABASE_URL;
  const { DataSource } = await import('typeorm');
  const { validateEnv } = await import('@cognition/config/env.schema');
  const { appTypeormOptions } = await import('@cognition/app/orm-entities');
  const migrator = new DataSource(appTypeormOptions(validateEnv(process.env)));
  await migrator.initialize();
  try {
    await migrator.runMigrations({ transaction: 'each' });
  } finally {
    await migrator.destroy();
  }
}
