import { Client } from 'pg';
import { createTestDatabase, TestDatabase, TEST_DB } from '@cognition/test-support/test-database';
import { newId } from '@cognition/platform/ids/uuid';
import { readForSubscriber } from './subscriber-read';

const TENANT = newId();
const START = { txId: '0', position: '0' };

describe('a durable subscriber reads only its events and the last one read (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('subscriber_read');
    pg = new Client({ ...TEST_DB, database: db.name });
    await pg.connect();
    // Seven events, each committed on its own: A B B A B B B (positions in commit order).
    for (const [n, type] of ['A', 'B', 'B', 'A', 'B', 'B', 'B'].entries()) {
      await pg.query(
        `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at) VALUES ($1, $2, $3, 'Thing', 'x', $4, now())`,
        [newId(), TENANT, type, JSON.stringify({ n })],
      );
    }
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const all = async () => (await pg.query(`SELECT tx_id::text AS "txId", position::text AS position, type FROM domain_events ORDER BY tx_id, position`)).rows;
  const payloads = (rows: { payload: unknown }[]) => rows.map((r) => (r.payload as { n: number } | null)?.n ?? null);

  it("returns the subscriber's events of the batch and the last event read, in order, with what was read", async () => {
    const events = await all();
    const read = await readForSubscriber(pg, START, ['A'], 5);
    // The batch is events 0-4: A at 0 and 3, and event 4 (a B) as the last one read, without its payload.
    expect(read.scanned).toBe(5);
    expect(read.rows.map((r) => r.position)).toEqual([events[0].position, events[3].position, events[4].position]);
    expect(read.rows.map((r) => r.type)).toEqual(['A', 'A', 'B']);
    expect(payloads(read.rows)).toEqual([0, 3, null]);
    expect(read.rows[2].tx_id).toBe(events[4].txId);
  });

  it('does not repeat the last event read when it is one of the types', async () => {
    const events = await all();
    const read = await readForSubscriber(pg, START, ['A'], 4);
    expect(read.scanned).toBe(4);
    expect(read.rows.map((r) => r.position)).toEqual([events[0].position, events[3].position]);
  });

  it('reads from the cursor on: a short batch has only the last event when none is of the types', async () => {
    const events = await all();
    const read = await readForSubscriber(pg, events[3], ['A'], 500);
    expect(read.scanned).toBe(3);
    expect(read.rows.map((r) => r.position)).toEqual([events[6].position]);
    expect(payloads(read.rows)).toEqual([null]);
  });

  it('returns nothing after the last event', async () => {
    const events = await all();
    expect(await readForSubscriber(pg, events[6], ['A', 'B'], 500)).toEqual({ rows: [], scanned: 0 });
  });

  it('counts the events of each type read, and still returns only the wanted events and the last one', async () => {
    const events = await all();
    const read = await readForSubscriber(pg, START, ['A'], 5, { countTypes: true });
    expect(read.scanned).toBe(5);
    expect(read.counts).toEqual(new Map([['A', 2], ['B', 3]]));
    expect(read.rows.map((r) => r.position)).toEqual([events[0].position, events[3].position, events[4].position]);
    expect(payloads(read.rows)).toEqual([0, 3, null]);
    // Nothing wanted: the counts of the whole batch from a cursor, and only the last event.
    const rest = await readForSubscriber(pg, events[1], [], 500, { countTypes: true });
    expect(rest.counts).toEqual(new Map([['A', 1], ['B', 4]]));
    expect(rest.rows.map((r) => r.position)).toEqual([events[6].position]);
    expect(payloads(rest.rows)).toEqual([null]);
    expect(await readForSubscriber(pg, events[6], [], 500, { countTypes: true })).toEqual({ rows: [], scanned: 0, counts: new Map() });
  });

  it('returns every event of the batch when the subscriber takes every type', async () => {
    const read = await readForSubscriber(pg, START, ['A', 'B'], 500);
    expect(read.scanned).toBe(7);
    expect(payloads(read.rows)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
