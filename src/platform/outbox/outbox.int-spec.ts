import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase, testEnv, TEST_DB } from '@cognition/test-support/test-database';
import { DomainEvent } from '@cognition/platform/domain';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { DurableEventsHandler } from './durable-events-handler.decorator';
import { OutboxWriter } from './outbox.writer';

class ThingHappened extends DomainEvent<{ n: number }> {
  get aggregateType(): string {
    return 'Thing';
  }
}

const received: DomainEvent[] = [];
let failuresLeft = 0;

@Injectable()
@DurableEventsHandler('outbox-test', ThingHappened)
class RecordingHandler {
  async handle(event: DomainEvent): Promise<void> {
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new Error('transient failure');
    }
    received.push(event);
  }
}

const TENANT = '00000000-0000-7000-8000-000000000001';

async function insertRaw(db: TestDatabase, n: number): Promise<void> {
  const client = new Client({ ...TEST_DB, database: db.name });
  await client.connect();
  await client.query(
    `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
     VALUES (gen_random_uuid(), $1, 'ThingHappened', 'Thing', 't1', $2, now())`,
    [TENANT, JSON.stringify({ n })],
  );
  await client.end();
}

async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('transactional outbox and relay (real PostgreSQL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    testEnv(db);
  });
  afterAll(() => db.drop());
  beforeEach(() => {
    received.length = 0;
    failuresLeft = 0;
  });

  async function boot() {
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    @Module({ imports: [CognitionOsCoreModule.forRoot()], providers: [RecordingHandler] })
    class OutboxTestModule {}
    const moduleRef = await Test.createTestingModule({ imports: [OutboxTestModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return moduleRef;
  }

  it('delivers an event committed while no relay was running, then live events, at least once and in order', async () => {
    await insertRaw(db, 1);
    const app = await boot();
    try {
      await waitFor(() => received.length === 1);
      expect(received[0]).toBeInstanceOf(ThingHappened);
      expect((received[0] as ThingHappened).payload).toEqual({ n: 1 });
      expect(received[0].metadata?.position).toBeDefined();

      const tx = app.get(TransactionHost) as unknown as Tx;
      const outbox = app.get(OutboxWriter);
      await tx.withTransaction(() => outbox.append([new ThingHappened(TENANT, 't1', { n: 2 }), new ThingHappened(TENANT, 't1', { n: 3 })]));
      await waitFor(() => received.length === 3);
      expect(received.map((e) => (e as ThingHappened).payload.n)).toEqual([1, 2, 3]);
    } finally {
      await app.close();
    }
    // A restart resumes from the checkpoint: nothing is delivered twice, the new event once.
    received.length = 0;
    await insertRaw(db, 4);
    const again = await boot();
    try {
      await waitFor(() => received.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(received.map((e) => (e as ThingHappened).payload.n)).toEqual([4]);
    } finally {
      await again.close();
    }
  });

  it('writes nothing when the transaction fails', async () => {
    const app = await boot();
    try {
      const tx = app.get(TransactionHost) as unknown as Tx;
      const outbox = app.get(OutboxWriter);
      const before = await tx.tx.query(`SELECT count(*)::int AS n FROM domain_events`);
      await expect(
        tx.withTransaction(async () => {
          await outbox.append([new ThingHappened(TENANT, 't2', { n: 99 })]);
          throw new Error('command failed after writing its event');
        }),
      ).rejects.toThrow('command failed');
      const after = await tx.tx.query(`SELECT count(*)::int AS n FROM domain_events`);
      expect(after[0].n).toBe(before[0].n);
      await expect(outbox.append([new ThingHappened(TENANT, 't2', { n: 100 })])).rejects.toThrow(/inside a transaction/);
    } finally {
      await app.close();
    }
  });

  it('never skips an event whose transaction commits after a later one', async () => {
    const app = await boot();
    try {
      await waitFor(() => true);
      const slow = new Client({ ...TEST_DB, database: db.name });
      await slow.connect();
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
         VALUES (gen_random_uuid(), $1, 'ThingHappened', 'Thing', 't3', '{"n": 10}', now())`,
        [TENANT],
      );
      await insertRaw(db, 11); // commits first, though its position is higher
      await new Promise((r) => setTimeout(r, 500));
      expect(received.map((e) => (e as ThingHappened).payload.n)).not.toContain(11);
      await slow.query('COMMIT');
      await slow.end();
      await waitFor(() => received.length >= 2);
      expect(received.map((e) => (e as ThingHappened).payload.n)).toEqual([10, 11]);
    } finally {
      await app.close();
    }
  });

  it('retries a failing handler and does not move past the event until it succeeds', async () => {
    failuresLeft = 2;
    await insertRaw(db, 20);
    const app = await boot();
    try {
      await waitFor(() => received.length === 1);
      expect((received[0] as ThingHappened).payload.n).toBe(20);
      expect(failuresLeft).toBe(0);
    } finally {
      await app.close();
    }
  });
});
