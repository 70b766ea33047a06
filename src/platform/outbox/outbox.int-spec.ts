import { Injectable, Module } from '@nestjs/common';
import { EventBus, IEvent, IEventPublisher } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase, testEnv, TEST_DB } from '@cognition/test-support/test-database';
import { DomainEvent } from '@cognition/platform/domain';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
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

class OtherThingHappened extends DomainEvent<{ n: number }> {
  get aggregateType(): string {
    return 'Thing';
  }
}

/** Takes an event type that is never written: every batch only moves its checkpoint. */
@Injectable()
@DurableEventsHandler('outbox-skip-test', OtherThingHappened)
class SkippingHandler {
  async handle(): Promise<void> {
    throw new Error('never called: no OtherThingHappened is written');
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
    @Module({ imports: [CognitionOsCoreModule.forRoot()], providers: [RecordingHandler, SkippingHandler] })
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

  it("moves a checkpoint past events its subscriber does not take without a write per batch, up to the head while running and at shutdown", async () => {
    const checkpoint = async (name: string) => {
      const client = new Client({ ...TEST_DB, database: db.name });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT (s.last_tx_id, s.last_position) = (SELECT tx_id, position FROM domain_events ORDER BY tx_id DESC, position DESC LIMIT 1) AS at_head
           FROM event_subscriptions s WHERE s.name = $1`,
          [name],
        );
        return rows[0]?.at_head === true;
      } finally {
        await client.end();
      }
    };
    const until = async (what: () => Promise<boolean>) => {
      const deadline = Date.now() + 15_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('timed out waiting');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const app = await boot();
    try {
      await insertRaw(db, 30);
      await waitFor(() => received.some((e) => (e as ThingHappened).payload.n === 30));
      // The subscriber that took it has its checkpoint written with the delivery; the other one's
      // reaches the head too, by a later drain (the relay polls), with no new event to carry it.
      await until(() => checkpoint('outbox-test'));
      await until(() => checkpoint('outbox-skip-test'));

      await insertRaw(db, 31);
      await waitFor(() => received.some((e) => (e as ThingHappened).payload.n === 31));
    } finally {
      await app.close();
    }
    // Closed right after: a move not written yet is written at shutdown.
    expect(await checkpoint('outbox-test')).toBe(true);
    expect(await checkpoint('outbox-skip-test')).toBe(true);
  });

  describe('the live pass: every event to whoever listens on the EventBus, nothing read for no one', () => {
    const ns = (events: unknown[]) => events.map((e) => (e as ThingHappened).payload.n);
    const published = async (app: { get: (t: typeof MetricsService) => MetricsService }) =>
      (await app.get(MetricsService).eventsPublished.get()).values.find((v) => v.labels.type === 'ThingHappened')?.value ?? 0;

    it('publishes every event, with its payload and in order, to a subscriber of the EventBus', async () => {
      const app = await boot();
      const heard: DomainEvent[] = [];
      const subscription = app.get(EventBus).subscribe((e) => heard.push(e as DomainEvent));
      try {
        for (const n of [40, 41, 42]) await insertRaw(db, n);
        await waitFor(() => heard.length === 3);
        expect(heard[0]).toBeInstanceOf(ThingHappened);
        expect(ns(heard)).toEqual([40, 41, 42]);
        await waitFor(() => received.length === 3);
      } finally {
        subscription.unsubscribe();
        await app.close();
      }
    });

    it('with no listener, publishes nothing, counts the events by type, and durable subscribers still get them whole', async () => {
      const app = await boot();
      const publish = jest.spyOn(app.get(EventBus), 'publish');
      try {
        const before = await published(app);
        for (const n of [50, 51, 52]) await insertRaw(db, n);
        await waitFor(() => received.length === 3);
        expect(ns(received)).toEqual([50, 51, 52]);
        expect(publish).not.toHaveBeenCalled();
        expect((await published(app)) - before).toBe(3);
      } finally {
        await app.close();
      }
    });

    it('publishes to a custom publisher of the EventBus', async () => {
      const app = await boot();
      const got: IEvent[] = [];
      const bus = app.get(EventBus);
      const own = bus.publisher;
      bus.publisher = { publish: (e: IEvent) => void got.push(e) } as IEventPublisher;
      try {
        for (const n of [60, 61]) await insertRaw(db, n);
        await waitFor(() => got.length === 2);
        expect(ns(got)).toEqual([60, 61]);
        await waitFor(() => received.length === 2);
      } finally {
        bus.publisher = own;
        await app.close();
      }
    });

    it('gives a listener that subscribes while a batch is being read that batch, whole', async () => {
      const app = await boot();
      const bus = app.get(EventBus);
      const heard: DomainEvent[] = [];
      let subscription: { unsubscribe(): void } | undefined;
      const original = Client.prototype.query as (...args: unknown[]) => unknown;
      // Subscribes when the answer to a read made for no listener holds event 70, before the relay
      // sees that answer: the listener comes while the batch is being read, whatever the timing.
      // (Subscribing when such a read was sent raced: a read sent before the event committed could
      // still see it, and pass it, once the machine was loaded.)
      const query = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
        const result = original.apply(this, args);
        if (subscription || typeof args[0] !== 'string' || !args[0].includes('string_agg(e.type')) return result;
        return (result as Promise<{ rows: { payload: { n?: number } | null }[] }>).then((answer) => {
          if (!subscription && answer.rows.some((row) => row.payload?.n === 70)) subscription = bus.subscribe((e) => heard.push(e as DomainEvent));
          return answer;
        });
      } as never);
      try {
        await insertRaw(db, 70);
        await waitFor(() => heard.length === 1);
        expect(ns(heard)).toEqual([70]);
        await waitFor(() => received.length === 1);
      } finally {
        query.mockRestore();
        subscription?.unsubscribe();
        await app.close();
      }
    });
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
