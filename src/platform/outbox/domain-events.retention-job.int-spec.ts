import { newId } from '@cognition/platform/ids/uuid';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { DomainEventsRetentionJob } from './domain-events.retention-job';
import { OutboxRelay } from './outbox.relay';

const TENANT = newId();

interface Key {
  txId: string;
  position: string;
}

/** One event in its own transaction, occurred `daysAgo` days ago; its outbox key. */
async function event(h: RetentionHarness, daysAgo: number): Promise<Key> {
  const { rows } = await h.pg.query(
    `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
     VALUES ($1, $2, 'Something', 'Thing', 'x', '{}', now() - make_interval(days => $3)) RETURNING tx_id::text AS "txId", position::text AS position`,
    [newId(), TENANT, daysAgo],
  );
  return rows[0];
}

async function checkpoint(h: RetentionHarness, name: string, at: Key): Promise<void> {
  await h.pg.query(
    `INSERT INTO event_subscriptions (name, last_tx_id, last_position) VALUES ($1, $2::xid8, $3)
     ON CONFLICT (name) DO UPDATE SET last_tx_id = EXCLUDED.last_tx_id, last_position = EXCLUDED.last_position`,
    [name, at.txId, at.position],
  );
}

const positions = async (h: RetentionHarness) => (await h.pg.query(`SELECT position::text AS p FROM domain_events ORDER BY tx_id, position`)).rows.map((r) => r.p as string);

describe('events retention (real PostgreSQL)', () => {
  describe('behind every checkpoint', () => {
    let h: RetentionHarness;
    beforeAll(async () => {
      // Batches of 2: every walk below takes several.
      h = await retentionHarness('retention_events', [DomainEventsRetentionJob], { EVENT_RETENTION_DAYS: '7', RETENTION_BATCH_SIZE: '2' });
    });
    afterAll(() => h?.close());
    beforeEach(() => h.pg.query(`TRUNCATE domain_events, event_subscriptions`));

    it('prunes nothing while no subscriber has a checkpoint', async () => {
      await event(h, 30);
      const report = await h.runner.run({ jobs: ['events'] });
      expect(report!.jobs[0]).toMatchObject({ job: 'events', status: 'done', rows: { domain_events: 0 }, note: expect.stringContaining('no checkpoint') });
      expect(await h.count('domain_events')).toBe(1);
    });

    it('prunes old events at or behind the lowest checkpoint; an old event ahead of one subscriber is kept; a dry run reports the same and deletes nothing', async () => {
      const old = [];
      for (let i = 0; i < 6; i++) old.push(await event(h, 10));
      const young = [await event(h, 1), await event(h, 1)];
      await checkpoint(h, 'trace-spans', old[5]);
      await checkpoint(h, 'engine.resume-agent-task-steps', young[1]);
      await checkpoint(h, 'broker:nats', old[2]);

      const dry = await h.runner.run({ dryRun: true, jobs: ['events'] });
      expect(dry!.jobs[0]).toMatchObject({ status: 'done', rows: { domain_events: 3 }, note: expect.stringContaining('"broker:nats"') });
      expect(await h.count('domain_events')).toBe(8);

      const real = await h.runner.run({ jobs: ['events'] });
      expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: { domain_events: 3 } });
      // old[0..2] are at or behind broker:nats (old[2] itself included); old[3..5] are ahead of it.
      expect(await positions(h)).toEqual([...old.slice(3), ...young].map((k) => k.position));

      // The broker catches up: the old events behind every checkpoint go, the young ones stay.
      await checkpoint(h, 'broker:nats', young[1]);
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 3 });
      expect(await positions(h)).toEqual(young.map((k) => k.position));
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 0 });
    });

    it('keeps a young event between old ones and walks on past it', async () => {
      const keys = [await event(h, 9), await event(h, 2), await event(h, 9), await event(h, 9), await event(h, 8)];
      await checkpoint(h, 'trace-spans', keys[4]);
      const dry = await h.runner.run({ dryRun: true, jobs: ['events'] });
      expect(dry!.jobs[0].rows).toEqual({ domain_events: 4 });
      const real = await h.runner.run({ jobs: ['events'] });
      expect(real!.jobs[0].rows).toEqual({ domain_events: 4 });
      expect(await positions(h)).toEqual([keys[1].position]);
    });
  });

  describe('in numeric (tx_id, position) order', () => {
    let h: RetentionHarness;
    beforeAll(async () => {
      h = await retentionHarness('retention_events_order', [DomainEventsRetentionJob], { EVENT_RETENTION_DAYS: '7', RETENTION_BATCH_SIZE: '2' });
    });
    afterAll(() => h?.close());

    it('walks transaction ids 9, 10, 100 in that order (not as text), each event counted once', async () => {
      const keys: Key[] = [];
      for (const tx of ['9', '10', '100']) {
        const { rows } = await h.pg.query(
          `INSERT INTO domain_events (id, tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
           VALUES ($1, $2::xid8, $3, 'Something', 'Thing', 'x', '{}', now() - interval '10 days') RETURNING tx_id::text AS "txId", position::text AS position`,
          [newId(), tx, TENANT],
        );
        keys.push(rows[0]);
      }
      await checkpoint(h, 'trace-spans', keys[2]);
      expect((await h.runner.run({ dryRun: true, jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 3 });
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 3 });
    });
  });

  describe('behind replays, and not an event an open dead letter names', () => {
    let h: RetentionHarness;
    beforeAll(async () => {
      h = await retentionHarness('retention_events_replays', [DomainEventsRetentionJob], { EVENT_RETENTION_DAYS: '7', RETENTION_BATCH_SIZE: '2' });
    });
    afterAll(() => h?.close());

    const deadLetter = async (at: Key, status: 'dead' | 'retried') => {
      await h.pg.query(
        `INSERT INTO dead_letters (id, subscriber, event_id, position, tenant_id, type, error, attempts, status, resolved_at)
         SELECT $1, 'trace-spans', id, position, tenant_id, type, '{"message": "boom"}', 3, $3, CASE WHEN $3 = 'dead' THEN NULL ELSE now() END
         FROM domain_events WHERE position = $2`,
        [newId(), at.position, status],
      );
    };

    it('keeps the event of an open dead letter (a retry needs it) and prunes the one of a retried dead letter', async () => {
      const keys = [await event(h, 10), await event(h, 10), await event(h, 10), await event(h, 10)];
      await checkpoint(h, 'trace-spans', keys[3]);
      await deadLetter(keys[1], 'dead');
      await deadLetter(keys[2], 'retried');
      expect((await h.runner.run({ dryRun: true, jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 3 });
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 3 });
      expect(await positions(h)).toEqual([keys[1].position]);
      // Discarded: its event may go now.
      await h.pg.query(`UPDATE dead_letters SET status = 'discarded', resolved_at = now() WHERE status = 'dead'`);
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 1 });
    });

    it('keeps what a replay in progress has still to read', async () => {
      const keys = [await event(h, 10), await event(h, 10), await event(h, 10), await event(h, 10)];
      await checkpoint(h, 'trace-spans', keys[3]);
      const replay = newId();
      await h.pg.query(
        `INSERT INTO subscription_replays (id, tenant_id, subscriber, from_position, upto_tx_id, upto_position, cursor_tx_id, cursor_position, status)
         VALUES ($1, $2, 'trace-spans', 1, $3::xid8, $4, $5::xid8, $6, 'running')`,
        [replay, TENANT, keys[3].txId, keys[3].position, keys[1].txId, keys[1].position],
      );
      const report = await h.runner.run({ jobs: ['events'] });
      expect(report!.jobs[0]).toMatchObject({ rows: { domain_events: 2 }, note: expect.stringContaining(`replay ${replay}`) });
      expect(await positions(h)).toEqual(keys.slice(2).map((k) => k.position));
      await h.pg.query(`UPDATE subscription_replays SET status = 'completed', finished_at = now() WHERE id = $1`, [replay]);
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0].rows).toEqual({ domain_events: 2 });
      expect(await h.count('domain_events')).toBe(0);
    });
  });

  describe("behind this process's live relay", () => {
    let h: RetentionHarness;
    let live: Key | undefined;
    beforeAll(async () => {
      const relay = {
        get liveCursor() {
          return live;
        },
      };
      h = await retentionHarness('retention_events_live', [DomainEventsRetentionJob, { provide: OutboxRelay, useValue: relay }], { EVENT_RETENTION_DAYS: '7' });
    });
    afterAll(() => h?.close());

    it('prunes nothing before the relay has read the head, then only what it has published', async () => {
      const keys = [await event(h, 10), await event(h, 10), await event(h, 10)];
      await checkpoint(h, 'trace-spans', keys[2]);
      live = undefined;
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0]).toMatchObject({ rows: { domain_events: 0 }, note: expect.stringContaining('live relay') });
      live = keys[0];
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0]).toMatchObject({ rows: { domain_events: 1 }, note: expect.stringContaining('live relay') });
      live = { txId: String(BigInt(keys[2].txId) + 1000n), position: '1' };
      expect((await h.runner.run({ jobs: ['events'] }))!.jobs[0]).toMatchObject({ rows: { domain_events: 2 }, note: expect.stringContaining('"trace-spans"') });
      expect(await h.count('domain_events')).toBe(0);
    });
  });
});
