import { ClientConfig } from 'pg';
import { Env } from '../../config/env.schema';

/** pg client settings for connections outside TypeORM's pool (LISTEN, advisory locks). */
export function pgClientConfig(env: Env): ClientConfig {
  const ssl = env.DB_SSL ? { rejectUnauthorized: false } : false;
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL, ssl, application_name: 'cognition-os-listener' };
  return {
    host: env.DB_HOST,
    port: env.DB_PORT,
    database: env.DB_NAME,
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    ssl,
    application_name: 'cognition-os-listener',
  };
}
