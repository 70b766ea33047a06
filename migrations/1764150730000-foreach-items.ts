import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * forEach items stored once, on their own rows: the forEach list is evaluated once, when its step
 * runs, and each item row keeps its item, so running an item never evaluates the list again (linear
 * time in the number of items). NULL on rows that are not forEach items (and on items created
 * before this column, which evaluate the list as before).
 */
export class ForEachItems1764150730000 implements MigrationInterface {
  name = 'ForEachItems1764150730000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE step_executions ADD COLUMN item jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE step_executions DROP COLUMN IF EXISTS item`);
  }
}
