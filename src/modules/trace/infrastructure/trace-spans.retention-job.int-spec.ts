import { v7 } from 'uuid';
import { newId } from '@cognition/platform/ids/uuid';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { TraceSpansRetentionJob, uuidV7Floor } from './trace-spans.retention-job';

const TENANT = newId();
const DAY = 86_400_000;

describe('trace-spans retention (real PostgreSQL)', () => {
  let h: RetentionHarness;
  beforeAll(async () => {
    // Batches of 10 spans: the 26-span trace below takes several statements.
    h = await retentionHarness('retention_traces', [TraceSpansRetentionJob], { TRACE_RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '10' });
  });
  afterAll(() => h?.close());

  /** A span made `createdDaysAgo` days ago (its UUIDv7 id says so too), last changed `updatedDaysAgo` days ago. */
  async function span(type: string, status: string, createdDaysAgo: number, updatedDaysAgo: number, parent: string | null = null): Promise<string> {
    const id = v7({ msecs: Date.now() - createdDaysAgo * DAY });
    const final = ['completed', 'failed', 'cancelled'].includes(status);
    await h.pg.query(
      `INSERT INTO trace_spans (id, tenant_id, type, entity_id, parent_id, name, status, started_at, completed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $3, $6, now() - make_interval(days => $7), CASE WHEN $8 THEN now() - make_interval(days => $9) END,
               now() - make_interval(days => $7), now() - make_interval(days => $9))`,
      [id, TENANT, type, newId(), parent, status, createdDaysAgo, final, updatedDaysAgo],
    );
    return id;
  }

  it('deletes whole traces whose root finished before the cutoff and that did not change since; keeps the others whole; a dry run counts the same', async () => {
    // A finished trace: workflow → two steps, one with a task → its agent run.
    const done = await span('workflow', 'completed', 41, 40);
    await span('step', 'completed', 41, 40, done);
    const s2 = await span('step', 'completed', 41, 40, done);
    const task = await span('task', 'completed', 41, 40, s2);
    await span('agent_action', 'failed', 41, 40, task);
    // Finished long ago, but a late event changed one of its spans two days ago: kept whole.
    const late = await span('workflow', 'completed', 41, 40);
    await span('step', 'completed', 41, 2, late);
    // Still running (started 100 days ago), and a placeholder that never finished: kept.
    const running = await span('workflow', 'running', 100, 90);
    await span('step', 'completed', 100, 90, running);
    const placeholder = await span('workflow', 'pending', 60, 60);
    // Finished recently: kept.
    const recent = await span('workflow', 'failed', 6, 5);
    // A large finished trace: 1 root + 25 steps.
    const large = await span('workflow', 'cancelled', 50, 45);
    for (let i = 0; i < 25; i++) await span('step', 'cancelled', 50, 45, large);

    const dry = await h.runner.run({ dryRun: true, jobs: ['trace-spans'] });
    expect(dry!.jobs[0]).toMatchObject({ job: 'trace-spans', status: 'done', rows: { trace_spans: 5 + 26 } });
    expect(await h.count('trace_spans')).toBe(5 + 2 + 2 + 1 + 1 + 26);

    const real = await h.runner.run({ jobs: ['trace-spans'] });
    expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: { trace_spans: 31 } });
    const roots = (await h.pg.query(`SELECT id FROM trace_spans WHERE parent_id IS NULL ORDER BY id`)).rows.map((r) => r.id);
    expect(roots).toEqual([late, running, placeholder, recent].sort());
    expect(await h.count('trace_spans')).toBe(2 + 2 + 1 + 1);
    // No orphan left behind.
    expect(await h.count('trace_spans s', 'parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trace_spans p WHERE p.id = s.parent_id)')).toBe(0);
    expect((await h.runner.run({ jobs: ['trace-spans'] }))!.jobs[0].rows).toEqual({ trace_spans: 0 });
  });

  it('uuidV7Floor is below every UUIDv7 made from that millisecond on, and above those made before', () => {
    const at = new Date('2025-06-01T12:00:00.123Z');
    expect(v7({ msecs: at.getTime() }) > uuidV7Floor(at)).toBe(true);
    expect(v7({ msecs: at.getTime() - 1 }) < uuidV7Floor(at)).toBe(true);
  });
});
