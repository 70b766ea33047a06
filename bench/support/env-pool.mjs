/* global process */
/** A `pg` pool for the bare peer servers (plain JS, no ts-node): the DB_* settings of the environment plus `options`. */
import pg from 'pg';

export function poolFromEnv(options) {
  return new pg.Pool({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USER || 'postgres',
    password: process.env.DB_PASSWORD || '',
    database: process.env.DB_NAME,
    ...options,
  });
}
