import type { DataSource, EntityManager } from 'typeorm';

/** One SQL statement returning its rows. */
export type ManagerSql = <R = any>(text: string, params?: unknown[]) => Promise<R[]>;

/** TypeORM answers UPDATE/DELETE as `[rows, rowCount]` and everything else as rows; this gives rows. */
export function sqlOfManager(em: EntityManager | DataSource): ManagerSql {
  return async (text, params) => {
    const result = await em.query(text, params);
    const isUpdateResult = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
    return isUpdateResult ? result[0] : result;
  };
}
