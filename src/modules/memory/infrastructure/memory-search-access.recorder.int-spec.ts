import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { memoryTestModule } from '@cognition/test-support/memory-test-module';
import { TestDatabase } from '@cognition/test-support/test-database';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { newId } from '@cognition/platform/ids/uuid';
import { MemorySearchAccessRecorder } from './memory-search-access.recorder';
import { MemorySearchPool } from './memory-search.pool';

/** Where a search's access counts go: `memory_access`, never the memory row (migration 1764150930000-memory-access). */
describe('MemorySearchAccessRecorder (real PostgreSQL)', () => {
  const TENANT = newId();
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let ds: DataSource;

  beforeAll(async () => {
    ({ db, moduleRef } = await memoryTestModule('memory_access'));
    ds = moduleRef.get(DataSource);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  async function insert(...contents: string[]): Promise<string[]> {
    const ids = contents.map(() => newId());
    await ds.query(
      `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, status, importance, importance_rank, metadata, tags)
       SELECT u.id, $2, u.content, 'fact', 'global', 'default', 'active', 'medium', 2, '{}'::jsonb, '{}'::text[] FROM unnest($1::uuid[], $3::text[]) AS u(id, content)`,
      [ids, TENANT, contents],
    );
    return ids;
  }

  it('keeps counts beside the memory row: the row is never rewritten, a memory gone for good is left out, and a purge takes its counts', async () => {
    // Not started: flushed by hand.
    const recorder = new MemorySearchAccessRecorder(moduleRef.get(MemorySearchPool), moduleRef.get(BackgroundJobs));
    const [kept, gone] = await insert('access kept', 'access gone');
    const [{ ctid }] = await ds.query(`SELECT ctid::text FROM memories WHERE id = $1`, [kept]);
    recorder.record([kept, gone, kept]);
    await ds.query(`DELETE FROM memories WHERE id = $1`, [gone]); // purged before the flush
    await recorder.flush();
    const counts = async () => ds.query(`SELECT memory_id, access_count FROM memory_access WHERE memory_id = ANY($1::uuid[]) ORDER BY access_count`, [[kept, gone]]);
    expect(await counts()).toEqual([{ memory_id: kept, access_count: 2 }]);
    expect((await ds.query(`SELECT ctid::text FROM memories WHERE id = $1`, [kept]))[0].ctid).toBe(ctid); // no new version of the memory row
    recorder.record([kept]);
    await recorder.flush();
    expect(await counts()).toEqual([{ memory_id: kept, access_count: 3 }]);
    await ds.query(`DELETE FROM memories WHERE id = $1`, [kept]);
    expect(await counts()).toEqual([]);
  });
});
