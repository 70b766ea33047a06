import { Pool, PoolClient } from 'pg';

/**
 * One SQL statement returning its rows: the engine's stores take this, from a pg client or a
 * TypeORM manager. A `name` makes it a prepared statement (planned once per connection): for the
 * hot statements, whose text never changes.
 */
export type Sql = <R = any>(text: string, params?: unknown[], name?: string) => Promise<R[]>;

/** A client (inside a transaction) or the pool itself (each statement in autocommit). */
export function sqlOf(client: PoolClient | Pool): Sql {
  return async (text, params, name) => (await client.query(name ? { name, text, values: params } : { text, values: params })).rows;
}

/** TypeORM answers UPDATE/DELETE as `[rows, rowCount]`; the platform's runner gives rows. */
export { sqlOfManager } from '@cognition/platform/database/manager-sql';
