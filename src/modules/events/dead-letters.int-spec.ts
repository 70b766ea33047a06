import { Injectable, Module } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase, testEnv, TEST_DB } from '@cognition/test-support/test-database';
import { until } from '@cognition/test-support/wait';
import { DomainEvent } from '@cognition/platform/domain';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { DurableEventsHandler } from '@cognition/platform/outbox/durable-events-handler.decorator';
import { DeadLetterView, ListDeadLettersQuery, ListSubscriptionsQuery, ReplaySubscriptionCommand, RetryDeadLetterCommand, DiscardDeadLetterCommand, GetReplayQuery, SubscriptionView } from './contracts';
import { EventMetrics } from './application/jobs/event-metrics';

class ThingChanged extends DomainEvent<{ n: number; poison?: boolean }> {
  get aggregateType(): string {
    return 'Thing';
  }
}

const seen = { healed: false, attempts: [] as { n: number; at: number }[], received: [] as number[], bystander: [] as number[] };

/** Throws on `poison` events until healed. */
@Injectable()
@DurableEventsHandler('dlq-test', ThingChanged)
class PoisonableHandler {
  async handle(event: ThingChanged): Promise<void> {
    const { n, poison } = event.payload;
    if (poison) {
      seen.attempts.push({ n, at: Date.now() });
      if (!seen.healed) throw Object.assign(new Error(`poisoned by ${n}`), { code: 'POISON' });
    }
    seen.received.push(n);
  }
}

/** Takes the same events and never fails: it must never wait for the other one. */
@Injectable()
@DurableEventsHandler('dlq-test-bystander', ThingChanged)
class BystanderHandler {
  async handle(event: ThingChanged): Promise<void> {
    seen.bystander.push(event.payload.n);
  }
}

const TENANT = '00000000-0000-7000-8000-00000000d1a1';
const OTHER = '00000000-0000-7000-8000-00000000d1a2';

/** Polls until `predicate` holds (test/support/wait.ts). */
const waitFor = (predicate: () => boolean | Promise<boolean>, what: string): Promise<boolean> => until(async () => predicate(), (ok) => ok, what, 15_000);

describe('dead letters: a handler that keeps failing (real PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('dead_letters');
    sql = new Client({ ...TEST_DB, database: db.name });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** Commits one event per call (one transaction each), so they have their own places in the store. */
  async function commit(tenantId: string, n: number, poison = false): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
       VALUES (gen_random_uuid(), $1, 'ThingChanged', 'Thing', $2, $3, now()) RETURNING id`,
      [tenantId, `thing-${n}`, JSON.stringify(poison ? { n, poison } : { n })],
    );
    return rows[0].id;
  }

  async function boot(env: Record<string, string>): Promise<TestingModule> {
    testEnv(db, { EVENT_METRICS_INTERVAL_MS: '3600000', ...env });
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { EventsModule } = await import('./events.module');
    @Module({ imports: [CognitionOsCoreModule.forRoot(), EventsModule], providers: [PoisonableHandler, BystanderHandler] })
    class DeadLetterTestModule {}
    const moduleRef = await Test.createTestingModule({ imports: [DeadLetterTestModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return moduleRef;
  }

  const subscription = async (app: TestingModule, tenantId: string, name = 'dlq-test'): Promise<SubscriptionView> =>
    (await app.get(QueryBus).execute(new ListSubscriptionsQuery(tenantId))).items.find((s: SubscriptionView) => s.name === name)!;

  it('retries with backoff, dead-letters after the last attempt, moves on; a retry after the fix delivers it', async () => {
    await commit(TENANT, 1);
    const poisonId = await commit(TENANT, 2, true);
    await commit(TENANT, 3);
    const app = await boot({ EVENT_HANDLER_MAX_ATTEMPTS: '3', EVENT_HANDLER_RETRY_BASE_MS: '40', EVENT_HANDLER_RETRY_MAX_MS: '1000' });
    try {
      await waitFor(() => seen.received.includes(3), 'the subscriber to go past the poison event');
      expect(seen.received).toEqual([1, 3]);
      expect(seen.bystander).toEqual([1, 2, 3]);
      // Three attempts, each after the backoff: 40 ms, then 80 ms (the waits are at least that long).
      expect(seen.attempts.map((a) => a.n)).toEqual([2, 2, 2]);
      expect(seen.attempts[1].at - seen.attempts[0].at).toBeGreaterThanOrEqual(40);
      expect(seen.attempts[2].at - seen.attempts[1].at).toBeGreaterThanOrEqual(80);

      const { rows: dead } = await sql.query(`SELECT * FROM dead_letters`);
      expect(dead).toEqual([
        expect.objectContaining({
          subscriber: 'dlq-test',
          event_id: poisonId,
          tenant_id: TENANT,
          type: 'ThingChanged',
          error: { message: 'poisoned by 2', code: 'POISON' },
          attempts: 3,
          status: 'dead',
          resolved_at: null,
        }),
      ]);
      const { rows: cp } = await sql.query(`SELECT last_position::text AS position, retry_event_id FROM event_subscriptions WHERE name = 'dlq-test'`);
      const { rows: last } = await sql.query(`SELECT max(position)::text AS position FROM domain_events`);
      expect(cp[0]).toEqual({ position: last[0].position, retry_event_id: null });

      // The tenant sees its dead letter; another tenant sees none.
      const queries = app.get(QueryBus);
      expect(await subscription(app, TENANT)).toMatchObject({ state: 'caught-up', deadLetters: 1, lag: { events: 0, capped: false }, retry: null });
      expect(await subscription(app, OTHER)).toMatchObject({ deadLetters: 0 });
      const listed = await queries.execute(new ListDeadLettersQuery(TENANT, { subscriber: 'dlq-test' }, 10));
      expect(listed.items.map((d: DeadLetterView) => d.eventId)).toEqual([poisonId]);
      expect((await queries.execute(new ListDeadLettersQuery(OTHER, {}, 10))).items).toEqual([]);
      const id = listed.items[0].id as string;

      const metrics = app.get(MetricsService);
      await app.get(EventMetrics).refresh();
      expect(await metrics.registry.getSingleMetricAsString('cognitionos_dead_letters')).toContain('cognitionos_dead_letters{subscriber="dlq-test"} 1');

      // Still poisoned: the retry fails, the dead letter stays dead with one more attempt.
      const commands = app.get(CommandBus);
      await expect(commands.execute(new RetryDeadLetterCommand(OTHER, id))).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
      const failed = await commands.execute(new RetryDeadLetterCommand(TENANT, id));
      expect(failed).toMatchObject({ outcome: 'failed', deadLetter: { status: 'dead', attempts: 4, error: { message: 'poisoned by 2', code: 'POISON' }, resolvedAt: null } });

      // Fixed: the retry delivers it.
      seen.healed = true;
      const delivered = await commands.execute(new RetryDeadLetterCommand(TENANT, id));
      expect(delivered).toMatchObject({ outcome: 'delivered', deadLetter: { status: 'retried', attempts: 5 } });
      expect(delivered.deadLetter.resolvedAt).toEqual(expect.any(String));
      expect(seen.received).toEqual([1, 3, 2]);
      await expect(commands.execute(new RetryDeadLetterCommand(TENANT, id))).rejects.toMatchObject({ code: 'DEAD_LETTER_RESOLVED' });
      await expect(commands.execute(new DiscardDeadLetterCommand(TENANT, id))).rejects.toMatchObject({ code: 'DEAD_LETTER_RESOLVED' });
      await app.get(EventMetrics).refresh();
      expect(await metrics.registry.getSingleMetricAsString('cognitionos_dead_letters')).toContain('cognitionos_dead_letters{subscriber="dlq-test"} 0');
    } finally {
      await app.close();
    }
  });

  it('holds only that subscriber at a failing event (its state says so), and keeps the attempt count across a restart', async () => {
    seen.healed = false;
    seen.received.length = 0;
    seen.bystander.length = 0;
    seen.attempts.length = 0;
    const poisonId = await commit(TENANT, 10, true);
    let app = await boot({ EVENT_HANDLER_MAX_ATTEMPTS: '5', EVENT_HANDLER_RETRY_BASE_MS: '600000' });
    try {
      await waitFor(() => seen.attempts.length === 1 && seen.bystander.includes(10), 'the first failed attempt');
      await commit(TENANT, 11);
      await waitFor(() => seen.bystander.includes(11), 'the bystander to get the next event');
      expect(seen.received).toEqual([]);
      const { rows } = await sql.query(`SELECT retry_event_id, retry_attempts, retry_error FROM event_subscriptions WHERE name = 'dlq-test'`);
      expect(rows[0]).toEqual({ retry_event_id: poisonId, retry_attempts: 1, retry_error: { message: 'poisoned by 10', code: 'POISON' } });
      // The owner of the failing event sees which and why; another tenant only that the subscriber is held.
      expect(await subscription(app, TENANT)).toMatchObject({
        state: 'retrying',
        lag: { events: 2 },
        retry: { eventId: poisonId, attempts: 1, error: { message: 'poisoned by 10', code: 'POISON' }, nextAttemptAt: expect.any(String) },
      });
      expect(await subscription(app, OTHER)).toMatchObject({ state: 'retrying', lag: { events: 0 }, retry: null });
      expect(await subscription(app, TENANT, 'dlq-test-bystander')).toMatchObject({ state: 'caught-up', lag: { events: 0 } });
    } finally {
      await app.close();
    }
    // After a restart the attempts go on from the stored count: with 2 attempts in all, the next failure dead-letters it.
    app = await boot({ EVENT_HANDLER_MAX_ATTEMPTS: '2', EVENT_HANDLER_RETRY_BASE_MS: '10' });
    try {
      // The stored retry is due in 10 minutes: move it to now, as if the time had passed.
      await sql.query(`UPDATE event_subscriptions SET retry_at = now() WHERE name = 'dlq-test'`);
      await waitFor(() => seen.received.includes(11), 'the subscriber to move past the poison event');
      expect(seen.attempts.length).toBe(2);
      const { rows } = await sql.query(`SELECT attempts, status FROM dead_letters WHERE event_id = $1`, [poisonId]);
      expect(rows).toEqual([{ attempts: 2, status: 'dead' }]);
    } finally {
      await app.close();
    }
  });

  it('a replay goes through the same rule: failing events are dead-lettered, the rest delivered, the live checkpoint untouched', async () => {
    seen.received.length = 0;
    seen.attempts.length = 0;
    const { rows: before } = await sql.query(`SELECT last_tx_id::text, last_position::text FROM event_subscriptions WHERE name = 'dlq-test'`);
    const app = await boot({ EVENT_HANDLER_MAX_ATTEMPTS: '2', EVENT_HANDLER_RETRY_BASE_MS: '10' });
    try {
      await commit(OTHER, 99);
      await waitFor(() => seen.received.includes(99), 'the other tenant’s event');
      // The checkpoint moves when the delivery commits, just after the handler saw the event.
      const checkpoint = async () => (await sql.query(`SELECT last_tx_id::text, last_position::text FROM event_subscriptions WHERE name = 'dlq-test'`)).rows;
      await waitFor(async () => JSON.stringify(await checkpoint()) !== JSON.stringify(before), 'the live checkpoint to move past it');
      const live = await checkpoint();
      seen.received.length = 0;
      const commands = app.get(CommandBus);
      const replay = await commands.execute(new ReplaySubscriptionCommand(TENANT, 'dlq-test', { type: 'ThingChanged' }));
      expect(replay).toMatchObject({ status: 'pending', filter: { type: 'ThingChanged' }, delivered: 0 });
      const queries = app.get(QueryBus);
      await waitFor(async () => (await queries.execute(new GetReplayQuery(TENANT, 'dlq-test', replay.id))).status === 'completed', 'the replay');
      const done = await queries.execute(new GetReplayQuery(TENANT, 'dlq-test', replay.id));
      // The tenant's events 1, 3, 11 delivered again in order; 2 and 10 failed twice each; nothing of the other tenant's.
      expect(seen.received).toEqual([1, 3, 11]);
      expect(done).toMatchObject({ delivered: 3, deadLettered: 2, retry: null, error: null, finishedAt: expect.any(String) });
      const { rows: dead } = await sql.query(`SELECT attempts, status FROM dead_letters WHERE subscriber = 'dlq-test' ORDER BY created_at`);
      // 2: retried before, so a new dead letter; 10: still dead, so the replay's attempts were added to it.
      expect(dead).toEqual([
        { attempts: 5, status: 'retried' },
        { attempts: 4, status: 'dead' },
        { attempts: 2, status: 'dead' },
      ]);
      const { rows: after } = await sql.query(`SELECT last_tx_id::text, last_position::text FROM event_subscriptions WHERE name = 'dlq-test'`);
      expect(after).toEqual(live);
      await expect(queries.execute(new GetReplayQuery(OTHER, 'dlq-test', replay.id))).rejects.toMatchObject({ code: 'REPLAY_NOT_FOUND' });
    } finally {
      await app.close();
    }
  });
});
