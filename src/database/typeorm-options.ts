import { extname, join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { Env } from '../config/env.schema';
import { ORM_ENTITIES } from './entities';

/** One place that turns the environment into TypeORM options, for the app and the CLI alike. */
export function typeormOptions(env: Env): DataSourceOptions {
  const connection = env.DATABASE_URL
    ? { url: env.DATABASE_URL }
    : { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, username: env.DB_USER, password: env.DB_PASSWORD };
  return {
    type: 'postgres',
    ...connection,
    ssl: env.DB_SSL ? { rejectUnauthorized: false } : false,
    entities: ORM_ENTITIES,
    migrations: [join(__dirname, '..', '..', 'migrations', `*${extname(__filename)}`).replace(/\\/g, '/')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: env.DB_POOL_SIZE, application_name: 'cognition-os' },
  };
}
