import { extname, join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { Env } from '@cognition/config/env.schema';

type Entities = NonNullable<DataSourceOptions['entities']>;

/**
 * One place that turns the environment into TypeORM options, for the app and the CLI alike. The
 * entity list is the composition root's (`src/orm-entities.ts`); the platform does not know the modules.
 */
export function typeormOptions(env: Env, entities: Entities): DataSourceOptions {
  const connection = env.DATABASE_URL
    ? { url: env.DATABASE_URL }
    : { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, username: env.DB_USER, password: env.DB_PASSWORD };
  return {
    type: 'postgres',
    ...connection,
    ssl: env.DB_SSL ? { rejectUnauthorized: false } : false,
    entities,
    migrations: [join(__dirname, '..', '..', '..', 'migrations', `*${extname(__filename)}`).replace(/\\/g, '/')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: env.DB_POOL_SIZE, application_name: 'cognition-os' },
  };
}
