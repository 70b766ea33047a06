import { newId } from '@cognition/platform/ids/uuid';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { DeadLettersRetentionJob } from './dead-letters.retention-job';

/** The dead-letter table as the events work defines it (created here, in this suite's own database, until that lands). */
const DEAD_LETTERS = `CREATE TABLE dead_letters (
  id uuid PRIMARY KEY,
  subscriber text NOT NULL,
  event_id uuid NOT NULL,
  position bigint NOT NULL,
  tenant_id uuid NOT NULL,
  type text NOT NULL,
  error jsonb NOT NULL,
  attempts integer NOT NULL,
  status text NOT NULL CHECK (status IN ('dead', 'retried', 'discarded')),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz)`;

describe('dead-letters retention (real PostgreSQL)', () => {
  let h: RetentionHarness;
  beforeAll(async () => {
    h = await retentionHarness('retention_dead_letters', [DeadLettersRetentionJob], { DEAD_LETTER_RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '2' });
  });
  afterAll(() => h?.close());

  it('skips cleanly, without an error, while there is no dead_letters table', async () => {
    const report = await h.runner.run({ jobs: ['dead-letters'] });
    expect(report!.jobs).toEqual([expect.objectContaining({ job: 'dead-letters', status: 'done', rows: {}, total: 0, note: 'no dead_letters table yet' })]);
    expect((await h.runner.run({ dryRun: true, jobs: ['dead-letters'] }))!.jobs[0].status).toBe('done');
  });

  it('deletes retried and discarded dead letters resolved before the cutoff; open and recent ones stay; a dry run counts the same', async () => {
    await h.pg.query(DEAD_LETTERS);
    const letter = async (status: string, resolvedDaysAgo: number | null, createdDaysAgo = 60) => {
      const id = newId();
      await h.pg.query(
        `INSERT INTO dead_letters (id, subscriber, event_id, position, tenant_id, type, error, attempts, status, created_at, resolved_at)
         VALUES ($1, 'trace-spans', $2, 1, $3, 'Something', '{"message": "boom"}', 3, $4, now() - make_interval(days => $5),
                 CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(days => $6::int) END)`,
        [id, newId(), newId(), status, createdDaysAgo, resolvedDaysAgo],
      );
      return id;
    };
    const gone = [await letter('retried', 31), await letter('discarded', 45), await letter('discarded', 90), await letter('retried', 40), await letter('retried', 33)];
    const kept = [await letter('dead', null, 400), await letter('retried', 29), await letter('discarded', 1)];

    const dry = await h.runner.run({ dryRun: true, jobs: ['dead-letters'] });
    expect(dry!.jobs[0]).toMatchObject({ status: 'done', rows: { dead_letters: 5 } });
    expect(await h.count('dead_letters')).toBe(8);

    const real = await h.runner.run({ jobs: ['dead-letters'] });
    expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: { dead_letters: 5 } });
    const left = (await h.pg.query(`SELECT id FROM dead_letters ORDER BY id`)).rows.map((r) => r.id);
    expect(left).toEqual([...kept].sort());
    expect(left).not.toEqual(expect.arrayContaining([gone[0]]));
  });
});
