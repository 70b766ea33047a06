import { TestingModule } from '@nestjs/testing';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { memoryTestModule } from '@cognition/test-support/memory-test-module';
import { TestDatabase } from '@cognition/test-support/test-database';
import { newId } from '@cognition/platform/ids/uuid';
import {
  AddMemoryToCollectionCommand,
  CreateMemoriesCommand,
  CreateMemoryCollectionCommand,
  DeleteMemoryCollectionCommand,
  DeleteMemoryCommand,
  GetMemoryCollectionQuery,
  ListCollectionMemoriesQuery,
  ListMemoryCollectionsQuery,
  RemoveMemoryFromCollectionCommand,
} from '../contracts';

const TENANT = newId();
const OTHER = newId();

describe('Memory collections (real PostgreSQL)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let ds: DataSource;
  let commands: CommandBus;
  let queries: QueryBus;

  beforeAll(async () => {
    ({ db, moduleRef } = await memoryTestModule('memory_collections', { WORKER_ENABLED: 'false' }));
    ds = moduleRef.get(DataSource);
    commands = moduleRef.get(CommandBus);
    queries = moduleRef.get(QueryBus);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  const create = async (n: number, tenantId = TENANT): Promise<string[]> =>
    (await commands.execute(new CreateMemoriesCommand(tenantId, Array.from({ length: n }, (_, i) => ({ content: `memory ${i}`, namespace: 'coll' }))))).map((m) => m.id);
  const collection = (name: string, tenantId = TENANT) => commands.execute(new CreateMemoryCollectionCommand(tenantId, { name }));
  const add = (c: string, m: string, tenantId = TENANT) => commands.execute(new AddMemoryToCollectionCommand(tenantId, c, m));
  const members = async (c: string) => (await ds.query(`SELECT memory_id FROM memory_collection_items WHERE collection_id = $1 ORDER BY memory_id`, [c])).map((r: { memory_id: string }) => r.memory_id);

  it('adds idempotently, counts and lists visible members, removes, and records each change once', async () => {
    const [a, b] = await create(2);
    const c = await collection('favourites');
    expect(await add(c.id, a)).toEqual({ added: true });
    expect(await add(c.id, a)).toEqual({ added: false });
    expect(await add(c.id, b.toUpperCase())).toEqual({ added: true });
    expect(await queries.execute(new GetMemoryCollectionQuery(TENANT, c.id))).toMatchObject({ name: 'favourites', memoryCount: 2 });
    const page1 = await queries.execute(new ListCollectionMemoriesQuery(TENANT, c.id, 1));
    const page2 = await queries.execute(new ListCollectionMemoriesQuery(TENANT, c.id, 1, page1.nextCursor!));
    expect([...page1.items, ...page2.items].map((m) => m.id)).toEqual([b, a]);
    expect(page2.nextCursor).toBeNull();
    await commands.execute(new RemoveMemoryFromCollectionCommand(TENANT, c.id, a));
    await expect(commands.execute(new RemoveMemoryFromCollectionCommand(TENANT, c.id, a))).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    expect(await members(c.id)).toEqual([b]);
    const events = await ds.query(`SELECT type, payload FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [c.id]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['MemoryCollectionCreated', 'MemoryAddedToCollection', 'MemoryAddedToCollection', 'MemoryRemovedFromCollection']);
    expect(events[2].payload).toEqual({ collectionId: c.id, memoryId: b });
  });

  it('refuses a duplicate name, another tenant’s collection or memory, and a deleted memory', async () => {
    const [mine] = await create(1);
    const [theirs] = await create(1, OTHER);
    const c = await collection('unique');
    await expect(collection('unique')).rejects.toMatchObject({ code: 'MEMORY_COLLECTION_EXISTS' });
    expect(await collection('unique', OTHER)).toMatchObject({ name: 'unique' });
    await expect(add(c.id, theirs)).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(add(c.id, mine, OTHER)).rejects.toMatchObject({ code: 'MEMORY_COLLECTION_NOT_FOUND' });
    await expect(add(c.id, 'not-a-uuid')).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    await expect(add('not-a-uuid', mine)).rejects.toMatchObject({ code: 'MEMORY_COLLECTION_NOT_FOUND' });
    await commands.execute(new DeleteMemoryCommand(TENANT, mine));
    await expect(add(c.id, mine)).rejects.toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    expect(await members(c.id)).toEqual([]);
  });

  it('keeps membership consistent: a deleted memory leaves every collection, even racing with adds', async () => {
    const ids = await create(20);
    const [c1, c2] = [await collection('race-1'), await collection('race-2')];
    await Promise.all(
      ids.flatMap((id, i) => [
        add(c1.id, id).catch(() => null),
        add(c2.id, id).catch(() => null),
        ...(i % 2 === 0 ? [commands.execute(new DeleteMemoryCommand(TENANT, id))] : []),
      ]),
    );
    const orphans = await ds.query(
      `SELECT i.memory_id FROM memory_collection_items i JOIN memories m ON m.id = i.memory_id WHERE i.collection_id = ANY($1) AND m.status = 'deleted'`,
      [[c1.id, c2.id]],
    );
    expect(orphans).toEqual([]);
    const kept = ids.filter((_, i) => i % 2 === 1).sort();
    expect(await members(c1.id)).toEqual(kept);
    expect(await members(c2.id)).toEqual(kept);
    expect((await queries.execute(new GetMemoryCollectionQuery(TENANT, c1.id))).memoryCount).toBe(10);
    // A purge (hard delete) takes the rows with it through the foreign key.
    await ds.query(`DELETE FROM memories WHERE id = $1`, [kept[0]]);
    expect(await members(c1.id)).toEqual(kept.slice(1));
  });

  it('deletes a collection with its membership, the memories staying', async () => {
    const [m] = await create(1);
    const c = await collection('to-delete');
    await add(c.id, m);
    await commands.execute(new DeleteMemoryCollectionCommand(TENANT, c.id));
    await expect(queries.execute(new GetMemoryCollectionQuery(TENANT, c.id))).rejects.toMatchObject({ code: 'MEMORY_COLLECTION_NOT_FOUND' });
    await expect(commands.execute(new DeleteMemoryCollectionCommand(TENANT, c.id))).rejects.toMatchObject({ code: 'MEMORY_COLLECTION_NOT_FOUND' });
    expect(await members(c.id)).toEqual([]);
    expect((await ds.query(`SELECT status FROM memories WHERE id = $1`, [m]))[0].status).toBe('active');
    const names = (await queries.execute(new ListMemoryCollectionsQuery(TENANT, 200))).items.map((i) => i.name);
    expect(names).not.toContain('to-delete');
    expect(names).toContain('favourites');
  });
});
