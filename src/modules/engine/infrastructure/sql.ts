import { Pool, PoolClient } from 'pg';
import { EntityManager } from 'typeorm';

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

/** TypeORM answers UPDATE/DELETE as `[rows, rowCount]` and everything else as rows; this gives rows. */
export function sqlOfManager(em: EntityManager): Sql {
  return async (text, params) => {
    const result = await em.query(text, params);
    const isUpdateResult = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
    return isUpdateResult ? result[0] : result;
  };
}
