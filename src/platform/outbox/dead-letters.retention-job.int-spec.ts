import { newId } from '@cognition/platform/ids/uuid';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { DeadLettersRetentionJob } from './dead-letters.retention-job';

describe('dead-letters retention (real PostgreSQL)', () => {
  let h: RetentionHarness;
  beforeAll(async () => {
    h = await retentionHarness('retention_dead_letters', [DeadLettersRetentionJob], { DEAD_LETTER_RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '2' });
  });
  afterAll(() => h?.close());

  /** A dead letter as the relay writes it (the migration's table), resolved `resolvedDaysAgo` days ago (null: still open). */
  const letter = async (status: 'dead' | 'retried' | 'discarded', resolvedDaysAgo: number | null, createdDaysAgo = 60) => {
    const id = newId();
    await h.pg.query(
      `INSERT INTO dead_letters (id, subscriber, event_id, position, tenant_id, type, error, attempts, status, created_at, resolved_at)
       VALUES ($1, 'trace-spans', $2, 1, $3, 'Something', '{"message": "boom"}', 3, $4, now() - make_interval(days => $5),
               CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(days => $6::int) END)`,
      [id, newId(), newId(), status, createdDaysAgo, resolvedDaysAgo],
    );
    return id;
  };

  it('deletes retried and discarded dead letters resolved before the cutoff; open and recent ones stay; a dry run counts the same', async () => {
    for (const [status, days] of [['retried', 31], ['discarded', 45], ['discarded', 90], ['retried', 40], ['retried', 33]] as const) await letter(status, days);
    const kept = [await letter('dead', null, 400), await letter('retried', 29), await letter('discarded', 1)];

    const dry = await h.runner.run({ dryRun: true, jobs: ['dead-letters'] });
    expect(dry!.jobs[0]).toMatchObject({ status: 'done', rows: { dead_letters: 5 } });
    expect(await h.count('dead_letters')).toBe(8);

    // Batches of 2: three statements.
    const real = await h.runner.run({ jobs: ['dead-letters'] });
    expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: { dead_letters: 5 } });
    expect((await h.pg.query(`SELECT id FROM dead_letters ORDER BY id`)).rows.map((r) => r.id)).toEqual([...kept].sort());
  });

  it('skips cleanly, without an error, where there is no dead_letters table', async () => {
    await h.pg.query(`DROP TABLE dead_letters`);
    const report = await h.runner.run({ jobs: ['dead-letters'] });
    expect(report!.jobs).toEqual([expect.objectContaining({ job: 'dead-letters', status: 'done', rows: {}, total: 0, note: 'no dead_letters table yet' })]);
    expect((await h.runner.run({ dryRun: true, jobs: ['dead-letters'] }))!.jobs[0].status).toBe('done');
  });
});
