import { newId } from '@cognition/platform/ids/uuid';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { IdempotencyKeysRetentionJob } from './idempotency-keys.retention-job';

describe('idempotency-keys retention (real PostgreSQL)', () => {
  let h: RetentionHarness;
  beforeAll(async () => {
    h = await retentionHarness('retention_idempotency', [IdempotencyKeysRetentionJob], { IDEMPOTENCY_KEY_RETENTION_HOURS: '24', RETENTION_BATCH_SIZE: '3' });
  });
  afterAll(() => h?.close());

  const keys = async (table: string, hoursAgo: number[]) => {
    for (const h0 of hoursAgo) {
      await h.pg.query(`INSERT INTO ${table} (tenant_id, key, request_hash, created_at) VALUES ($1, $2, 'hash', now() - $3 * interval '1 minute')`, [newId(), `key-${newId()}`, Math.round(h0 * 60)]);
    }
  };

  it('forgets the keys of every *_idempotency_keys table after 24 h; a dry run counts the same and deletes nothing', async () => {
    await keys('task_idempotency_keys', [25, 30, 48, 100, 500, 23, 1]);
    await keys('memory_idempotency_keys', [24.5, 72, 2]);

    const dry = await h.runner.run({ dryRun: true, jobs: ['idempotency-keys'] });
    expect(dry!.jobs[0]).toMatchObject({ status: 'done', setting: 'IDEMPOTENCY_KEY_RETENTION_HOURS=24', rows: { memory_idempotency_keys: 2, task_idempotency_keys: 5 }, total: 7 });
    expect(await h.count('task_idempotency_keys')).toBe(7);

    const real = await h.runner.run({ jobs: ['idempotency-keys'] });
    expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: { memory_idempotency_keys: 2, task_idempotency_keys: 5 } });
    expect(await h.count('task_idempotency_keys', `created_at > now() - interval '24 hours'`)).toBe(2);
    expect(await h.count('task_idempotency_keys')).toBe(2);
    expect(await h.count('memory_idempotency_keys')).toBe(1);
  });
});
