import { DataSource } from 'typeorm';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const LEASE_SECONDS = 2;
jest.setTimeout(60_000);

/**
 * A step output PostgreSQL cannot store (a NUL character, made by a CEL string escape) fails that
 * step only, with OUTPUT_NOT_STORABLE and the path; executions whose results were written in the
 * same batch complete; nothing runs twice (the batch is not dropped and left to its leases).
 */
describe('a step output PostgreSQL cannot store (e2e)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('poison_output', { WORKER_CONCURRENCY: '32', WORKER_POLL_MS: '100', LEASE_SECONDS: String(LEASE_SECONDS) });
    api = apiClient(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fails only the poisoned step, with OUTPUT_NOT_STORABLE naming the path; the 19 others complete; nothing is re-run', async () => {
    await activeWorkflow(api, {
      id: 'maybe-poison',
      steps: [
        // Every execution waits for the same instant, so their `make` steps run and are written together.
        { id: 'wait', type: 'delay', params: { until: '${{ inputs.at }}' } },
        { id: 'make', type: 'transform', dependsOn: ['wait'], params: { output: { items: [0, 1, 2, { name: '${{ inputs.poison ? "x\\x00y" : "fine" }}' }] } } },
        { id: 'after', type: 'transform', dependsOn: ['make'], params: { output: '${{ steps.make.output.items[3].name }}' } },
      ],
    });
    const at = new Date(Date.now() + 1500).toISOString();
    const started = await Promise.all(Array.from({ length: 20 }, (_, i) => start(api, 'maybe-poison', { at, poison: i === 13 })));
    expect(started.map((r) => r.status)).toEqual(Array(20).fill(202));
    const ids: string[] = started.map((r) => r.body.id);
    const poisoned = ids[13];

    const done = await Promise.all(ids.map((id) => waitForExecution(api, id)));
    for (const execution of done) {
      const steps = Object.fromEntries(execution.steps.map((s: { stepId: string }) => [s.stepId, s]));
      if (execution.id === poisoned) {
        expect(execution.status).toBe('failed');
        expect(execution.error).toMatchObject({ code: 'OUTPUT_NOT_STORABLE', stepId: 'make' });
        expect(steps.make).toMatchObject({
          status: 'failed',
          attempt: 1,
          error: { code: 'OUTPUT_NOT_STORABLE', message: 'output.items[3].name contains a NUL character (U+0000), which PostgreSQL cannot store' },
        });
        expect(steps.after).toMatchObject({ status: 'skipped', skipReason: 'UPSTREAM_FAILED' });
      } else {
        expect(execution.status).toBe('completed');
        expect(steps.make).toMatchObject({ status: 'completed', attempt: 1, output: { items: [0, 1, 2, { name: 'fine' }] } });
        expect(steps.after).toMatchObject({ status: 'completed', output: 'fine' });
      }
    }

    // Past a lease and more: still one start and one outcome per step (a dropped batch would run again).
    await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 1) * 1000));
    const rows: { aggregate_id: string; step_id: string; type: string; n: number }[] = await t.app.get(DataSource).query(
      `SELECT aggregate_id, payload->>'stepId' AS step_id, type, count(*)::int AS n FROM domain_events
       WHERE aggregate_id = ANY($1) AND type IN ('StepExecutionStarted', 'StepExecutionCompleted', 'StepExecutionFailed')
       GROUP BY 1, 2, 3`,
      [ids],
    );
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const makeOutcomes = rows.filter((r) => r.step_id === 'make' && r.type !== 'StepExecutionStarted');
    expect(makeOutcomes).toHaveLength(20);
    expect(makeOutcomes.filter((r) => r.type === 'StepExecutionFailed').map((r) => r.aggregate_id)).toEqual([poisoned]);
    expect(rows.filter((r) => r.step_id === 'make' && r.type === 'StepExecutionStarted')).toHaveLength(20);
  });
});
