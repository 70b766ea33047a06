import { Injectable, Module } from '@nestjs/common';
import { CommandBus, EventBus, QueryBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { createTestDatabase, TestDatabase, testEnv, adminRows } from '@cognition/test-support/test-database';
import { until } from '@cognition/test-support/wait';
import { DomainEvent } from '@cognition/platform/domain';
import { DurableEventsHandler } from '@cognition/platform/outbox/durable-events-handler.decorator';
import { EventEnvelope, GetReplayQuery, ListEventsQuery, ReplaySubscriptionCommand } from './contracts';

class Counted extends DomainEvent<{ n: number }> {
  get aggregateType(): string {
    return 'Counter';
  }
}

const delivered: number[] = [];

@Injectable()
@DurableEventsHandler('order-test', Counted)
class OrderHandler {
  async handle(event: Counted): Promise<void> {
    delivered.push(event.payload.n);
  }
}

const TENANT = '00000000-0000-7000-8000-0000000000e1';

/** Polls until `predicate` holds (test/support/wait.ts). */
const waitFor = (predicate: () => boolean | Promise<boolean>, what: string): Promise<boolean> => until(async () => predicate(), (ok) => ok, what, 15_000);

/**
 * The store's order is `(tx_id, position)` compared as numbers. The reads select `tx_id::text AS
 * tx_id`, and a bare `ORDER BY tx_id` would sort that text column: '10' before '9', and at the
 * cluster's millionth transaction '1000000' before '999999' — events out of order, or skipped by a
 * cursor that moved past them. Transaction ids 9 and 10 (written by hand) catch it.
 */
describe('store order across a digit boundary of transaction ids (real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: TestingModule;

  beforeAll(async () => {
    db = await createTestDatabase('store_order');
    // Position 1 in transaction 10, position 2 in transaction 9: store order is n = 2, then n = 1; then 3 (tx 100).
    await adminRows(
      `INSERT INTO domain_events (id, tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
       VALUES (gen_random_uuid(), '10', $1, 'Counted', 'Counter', 'c', '{"n": 1}', now()),
              (gen_random_uuid(), '9', $1, 'Counted', 'Counter', 'c', '{"n": 2}', now()),
              (gen_random_uuid(), '100', $1, 'Counted', 'Counter', 'c', '{"n": 3}', now())`,
      [TENANT],
      db.name,
    );
    testEnv(db);
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { EventsModule } = await import('./events.module');
    @Module({ imports: [CognitionOsCoreModule.forRoot(), EventsModule], providers: [OrderHandler] })
    class StoreOrderTestModule {}
    app = await Test.createTestingModule({ imports: [StoreOrderTestModule] }).compile();
    app.useLogger(false);
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('the relay delivers durable subscribers in numeric transaction order, and publishes nothing old live', async () => {
    const live: number[] = [];
    app.get(EventBus).subscribe((e) => e instanceof Counted && live.push(e.payload.n));
    await waitFor(() => delivered.length === 3, 'the durable subscriber');
    expect(delivered).toEqual([2, 1, 3]);
    await new Promise((r) => setTimeout(r, 300));
    // The live head is the newest event (tx 100), so none of these is published again.
    expect(live).toEqual([]);
  });

  it('GET /events lists and pages in the same order', async () => {
    const queries = app.get(QueryBus);
    const all = await queries.execute(new ListEventsQuery(TENANT, {}, 10));
    expect(all.items.map((e: EventEnvelope) => (e.payload as { n: number }).n)).toEqual([2, 1, 3]);
    const paged: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.execute(new ListEventsQuery(TENANT, {}, 1, cursor));
      paged.push(...page.items.map((e: EventEnvelope) => (e.payload as { n: number }).n));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual([2, 1, 3]);
    const after = await queries.execute(new ListEventsQuery(TENANT, { after: all.items[0].position }, 10));
    expect(after.items.map((e: EventEnvelope) => (e.payload as { n: number }).n)).toEqual([1, 3]);
  });

  it('a replay delivers in the same order', async () => {
    await waitFor(() => delivered.length === 3, 'the durable subscriber');
    delivered.length = 0;
    const replay = await app.get(CommandBus).execute(new ReplaySubscriptionCommand(TENANT, 'order-test', { fromPosition: 0 }));
    const queries = app.get(QueryBus);
    await waitFor(async () => (await queries.execute(new GetReplayQuery(TENANT, 'order-test', replay.id))).status === 'completed', 'the replay');
    expect(delivered).toEqual([2, 1, 3]);
  });
});
