import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A memory's access counts move to a narrow table of their own, `memory_access` (issue 14, memory
 * search).
 *
 * Every memory a search returns counts as an access (MemorySearchAccessRecorder, once a second).
 * Written on `memories`, each access is a new version of the whole row (the vector inline, about
 * 1.7 KB at 384 dimensions, with its WAL): updating 4,500 rows of the memory bench took 200–710 ms
 * of PostgreSQL's time, that is 0.45–1.6 ms for each search returning 10 memories, more than the
 * search itself. The same upsert on this table takes 15–22 ms. A row missing here means "never
 * accessed" (count 0, no time). Readers of memory rows take both values through MEMORY_COLUMNS
 * (memory-row.mapper.ts), lifecycle policies with a join. The row goes with its memory (ON DELETE
 * CASCADE).
 */
export class MemoryAccess1764150930000 implements MigrationInterface {
  name = 'MemoryAccess1764150930000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE memory_access (
      memory_id uuid PRIMARY KEY REFERENCES memories (id) ON DELETE CASCADE,
      access_count integer NOT NULL DEFAULT 0,
      last_accessed_at timestamptz) WITH (fillfactor = 80)`);
    await q.query(`INSERT INTO memory_access (memory_id, access_count, last_accessed_at)
      SELECT id, access_count, last_accessed_at FROM memories WHERE access_count <> 0 OR last_accessed_at IS NOT NULL`);
    await q.query(`ALTER TABLE memories DROP COLUMN access_count, DROP COLUMN last_accessed_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memories ADD COLUMN access_count integer NOT NULL DEFAULT 0, ADD COLUMN last_accessed_at timestamptz`);
    await q.query(`UPDATE memories m SET access_count = a.access_count, last_accessed_at = a.last_accessed_at FROM memory_access a WHERE a.memory_id = m.id`);
    await q.query(`DROP TABLE memory_access`);
  }
}
