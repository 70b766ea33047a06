import { Test, TestingModule } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, TEST_DB, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import { newId } from '@cognition/platform/ids/uuid';
import { AddMemoryToCollectionCommand, CreateMemoriesCommand, CreateMemoryCollectionCommand, CreateMemoryPolicyCommand, DeleteMemoryCommand, type NewMemory, UpdateMemoryCommand } from '../../contracts';
import { MAINTENANCE_LOCK, MemoryMaintenance } from './memory-maintenance';

const TENANT = newId();

describe('MemoryMaintenance (real PostgreSQL)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let ds: DataSource;
  let commands: CommandBus;
  let maintenance: MemoryMaintenance;

  beforeAll(async () => {
    db = await createTestDatabase('memory_maintenance');
    // Writes index in the request: a deferred pass of the vector indexer holds its rows FOR UPDATE, and
    // the purge and expiry batches SKIP LOCKED rows (by design: the next run takes them), so a pass
    // that overlapped runOnce() made these counts flaky.
    testEnv(db, { WORKER_ENABLED: 'false', MEMORY_RETENTION_DAYS: '30', MEMORY_DEFER_INDEX_MAX_BATCH: '0' });
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { MemoryModule } = await import('../../memory.module');
    moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), MemoryModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    ds = moduleRef.get(DataSource);
    commands = moduleRef.get(CommandBus);
    maintenance = moduleRef.get(MemoryMaintenance);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  const create = async (content: string, fields: Partial<NewMemory> = {}): Promise<string> =>
    (await commands.execute(new CreateMemoriesCommand(TENANT, [{ namespace: 'job', ...fields, content }])))[0].id;
  const statusOf = async (id: string) => (await ds.query(`SELECT status FROM memories WHERE id = $1`, [id]))[0]?.status ?? 'purged';
  const eventsOf = (id: string) => ds.query(`SELECT type, payload FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [id]);

  it('purges memories soft-deleted beyond the retention period, with their revisions and memberships', async () => {
    const old = await create('deleted long ago');
    await commands.execute(new UpdateMemoryCommand(TENANT, old, { content: 'deleted long ago, edited' }));
    const recent = await create('deleted recently');
    const collection = await commands.execute(new CreateMemoryCollectionCommand(TENANT, { name: 'purge' }));
    await commands.execute(new AddMemoryToCollectionCommand(TENANT, collection.id, old));
    await commands.execute(new DeleteMemoryCommand(TENANT, old));
    await commands.execute(new DeleteMemoryCommand(TENANT, recent));
    await ds.query(`UPDATE memories SET deleted_at = now() - interval '31 days' WHERE id = $1`, [old]);
    await ds.query(`UPDATE memories SET deleted_at = now() - interval '29 days' WHERE id = $1`, [recent]);
    expect((await ds.query(`SELECT count(*)::int AS n FROM memory_revisions WHERE memory_id = $1`, [old]))[0].n).toBe(1);

    const report = await maintenance.runOnce();
    expect(report).toMatchObject({ purged: 1 });
    expect(await statusOf(old)).toBe('purged');
    expect(await statusOf(recent)).toBe('deleted');
    expect((await ds.query(`SELECT count(*)::int AS n FROM memory_revisions WHERE memory_id = $1`, [old]))[0].n).toBe(0);
    expect((await eventsOf(old)).at(-1)).toEqual({ type: 'MemoryDeleted', payload: { memoryId: old, namespace: 'job', reason: 'retention of 30 days passed', purged: true } });
    expect(await maintenance.runOnce()).toMatchObject({ purged: 0 });
  });

  it('soft-deletes every expired memory, whatever its importance, and takes it out of its collections', async () => {
    const expired = await create('expired critical', { importance: 'critical' });
    const live = await create('not expired', { expiresAt: '2999-01-01T00:00:00Z' });
    const collection = await commands.execute(new CreateMemoryCollectionCommand(TENANT, { name: 'expiry' }));
    await commands.execute(new AddMemoryToCollectionCommand(TENANT, collection.id, expired));
    await ds.query(`UPDATE memories SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired]);
    const report = await maintenance.runOnce();
    expect(report!.expired).toBeGreaterThanOrEqual(1);
    expect(await statusOf(expired)).toBe('deleted');
    expect(await statusOf(live)).toBe('active');
    expect(await ds.query(`SELECT * FROM memory_collection_items WHERE memory_id = $1`, [expired])).toEqual([]);
    expect((await eventsOf(expired)).at(-1)).toEqual({ type: 'MemoryDeleted', payload: { memoryId: expired, namespace: 'job', reason: 'expired', purged: false } });
    expect((await eventsOf(collection.id)).map((e: { type: string }) => e.type)).toEqual(['MemoryCollectionCreated', 'MemoryAddedToCollection', 'MemoryRemovedFromCollection']);
  });

  it('applies every enabled policy and skips the disabled ones', async () => {
    const a = await create('old in enabled', { namespace: 'enabled' });
    const b = await create('old in disabled', { namespace: 'disabled' });
    await ds.query(`UPDATE memories SET created_at = now() - interval '10 days' WHERE id = ANY($1)`, [[a, b]]);
    const on = await commands.execute(new CreateMemoryPolicyCommand(TENANT, { name: 'on', namespace: 'enabled', archiveAfterDays: 5 }));
    await commands.execute(new CreateMemoryPolicyCommand(TENANT, { name: 'off', namespace: 'disabled', archiveAfterDays: 5, enabled: false }));
    const report = await maintenance.runOnce();
    expect(report).toMatchObject({ policiesFailed: 0, archived: 1 });
    expect(await statusOf(a)).toBe('archived');
    expect(await statusOf(b)).toBe('active');
    expect((await ds.query(`SELECT last_applied_at FROM memory_policies WHERE id = $1`, [on.id]))[0].last_applied_at).toBeInstanceOf(Date);
  });

  it('runs one at a time across instances: a run finding the lock taken does nothing', async () => {
    const expired = await create('expired while locked');
    await ds.query(`UPDATE memories SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired]);
    const other = new Client({ ...TEST_DB, database: db.name });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext($1))`, [MAINTENANCE_LOCK]);
      expect(await maintenance.runOnce()).toBeNull();
      expect(await statusOf(expired)).toBe('active');
      await other.query(`SELECT pg_advisory_unlock(hashtext($1))`, [MAINTENANCE_LOCK]);
      expect(await maintenance.runOnce()).not.toBeNull();
      expect(await statusOf(expired)).toBe('deleted');
    } finally {
      await other.end();
    }
  });
});
