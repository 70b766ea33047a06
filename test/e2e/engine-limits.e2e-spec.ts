import { createServer, Server } from 'node:http';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { adminRows } from '../support/test-database';

jest.setTimeout(120_000);

const OUTPUT_MAX = 64 * 1024;
const FOREACH_MAX = 2500;

/**
 * The engine's size limits (docs/operations.md, "Engine limits"): a step output over
 * STEP_OUTPUT_MAX_BYTES fails its own step with OUTPUT_TOO_LARGE; http_request reads a body up to
 * the limit and no further; inputs over EXECUTION_INPUT_MAX_BYTES are a 413; a forEach over
 * FOREACH_MAX_ITEMS fails with FOREACH_TOO_MANY_ITEMS, and a large one runs every item once.
 */
describe('engine limits (e2e)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let endless: Server;
  let endlessUrl: string;
  const streams: { bytes: number; closed: boolean }[] = [];

  beforeAll(async () => {
    // Streams a body that never ends, and records how much it wrote before the client hung up.
    endless = createServer((_req, res) => {
      const record = { bytes: 0, closed: false };
      streams.push(record);
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 120);
      const pump = () => {
        while (!res.destroyed && record.bytes < 512 * 1024 * 1024) {
          record.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => (record.closed = true));
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    endlessUrl = `http://127.0.0.1:${(endless.address() as { port: number }).port}`;
    t = await startTestApp('engine_limits', {
      HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
      WORKER_POLL_MS: '100',
      WORKER_CONCURRENCY: '16',
      STEP_OUTPUT_MAX_BYTES: String(OUTPUT_MAX),
      EXECUTION_INPUT_MAX_BYTES: String(32 * 1024),
      FOREACH_MAX_ITEMS: String(FOREACH_MAX),
    });
    api = apiClient(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
    endless?.closeAllConnections();
    await new Promise((r) => endless?.close(r));
  });

  const stepsOf = (execution: { steps: { stepId: string; itemIndex: number | null }[] }) =>
    Object.fromEntries(execution.steps.filter((s) => s.itemIndex === null).map((s) => [s.stepId, s])) as Record<string, any>;

  it('fails a step whose output is over STEP_OUTPUT_MAX_BYTES with OUTPUT_TOO_LARGE; the rest behaves as for any failure', async () => {
    await activeWorkflow(api, {
      id: 'big-output',
      steps: [
        { id: 'make', type: 'transform', params: { output: { text: '${{ inputs.text + inputs.text + inputs.text + inputs.text }}' } } },
        { id: 'after', type: 'transform', dependsOn: ['make'], params: { output: 1 } },
        { id: 'independent', type: 'transform', params: { output: 2 } },
      ],
    });
    const done = await waitForExecution(api, (await start(api, 'big-output', { text: 'x'.repeat(20_000) })).body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'OUTPUT_TOO_LARGE', stepId: 'make' });
    const steps = stepsOf(done);
    expect(steps.make).toMatchObject({ status: 'failed', attempt: 1, output: null, error: { code: 'OUTPUT_TOO_LARGE', details: { bytes: 80_011, limit: OUTPUT_MAX } } });
    expect(steps.make.error.message).toContain(`limit of ${OUTPUT_MAX}`);
    expect(steps.after).toMatchObject({ status: 'skipped', skipReason: 'UPSTREAM_FAILED' });
    expect(steps.independent).toMatchObject({ status: 'completed', output: 2 });
    // Under the limit, the same step completes.
    const fine = await waitForExecution(api, (await start(api, 'big-output', { text: 'x'.repeat(1000) })).body.id);
    expect(fine.status).toBe('completed');
  });

  it('reads an http_request body up to the limit and no further: the step fails, the server sees the connection closed', async () => {
    await activeWorkflow(api, { id: 'endless', steps: [{ id: 'get', type: 'http_request', retry: { maxAttempts: 3 }, params: { url: `${endlessUrl}/stream` } }] });
    const before = streams.length;
    const done = await waitForExecution(api, (await start(api, 'endless')).body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'HTTP_RESPONSE_TOO_LARGE', stepId: 'get' });
    expect(stepsOf(done).get).toMatchObject({ attempt: 1, error: { details: { limit: OUTPUT_MAX } } });
    expect(streams.length - before).toBe(1);
    const stream = streams[streams.length - 1];
    for (let i = 0; i < 100 && !stream.closed; i++) await new Promise((r) => setTimeout(r, 50));
    expect(stream.closed).toBe(true);
    // What it wrote before the close is what the socket buffers hold, far from the 512 MiB it would send.
    expect(stream.bytes).toBeLessThan(32 * 1024 * 1024);
  });

  it('refuses inputs over EXECUTION_INPUT_MAX_BYTES with 413 problem+json', async () => {
    await activeWorkflow(api, { id: 'inputs-cap', steps: [{ id: 'a', type: 'transform', params: { output: 1 } }] });
    const res = await start(api, 'inputs-cap', { text: 'y'.repeat(40 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errors: [{ path: 'inputs', code: 'EXECUTION_INPUT_TOO_LARGE' }] });
    expect(res.body.detail ?? res.body.title ?? '').toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).toContain('EXECUTION_INPUT_MAX_BYTES');
    expect((await start(api, 'inputs-cap', { text: 'y'.repeat(1000) })).status).toBe(202);
  });

  it('fails a forEach over FOREACH_MAX_ITEMS with FOREACH_TOO_MANY_ITEMS, creating no item', async () => {
    await activeWorkflow(api, { id: 'too-many', steps: [{ id: 'each', type: 'transform', forEach: 'inputs.items', params: { output: '${{ item }}' } }] });
    const done = await waitForExecution(api, (await start(api, 'too-many', { items: Array.from({ length: FOREACH_MAX + 1 }, (_, i) => i) })).body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'FOREACH_TOO_MANY_ITEMS', stepId: 'each' });
    expect(done.steps).toHaveLength(1);
    expect(done.steps[0].error).toMatchObject({ code: 'FOREACH_TOO_MANY_ITEMS', details: { items: FOREACH_MAX + 1, limit: FOREACH_MAX } });
  });

  it('runs a forEach of 2,000 items, each once, and fans their outputs in order', async () => {
    await activeWorkflow(api, {
      id: 'fan-2000',
      steps: [
        { id: 'gen', type: 'transform', params: { output: '${{ inputs.items }}' } },
        { id: 'each', type: 'transform', dependsOn: ['gen'], forEach: 'steps.gen.output', params: { output: '${{ item * 2 + index }}' } },
        { id: 'join', type: 'transform', dependsOn: ['each'], params: { output: '${{ size(steps.each.output) }}' } },
      ],
    });
    const n = 2000;
    const done = await waitForExecution(api, (await start(api, 'fan-2000', { items: Array.from({ length: n }, (_, i) => i) })).body.id, undefined, 90_000);
    expect(done.status).toBe('completed');
    expect(done.outputs.join).toBe(n);
    expect(done.outputs.each).toEqual(Array.from({ length: n }, (_, i) => i * 3));
    const rows = await adminRows<{ item_index: number; attempt: number; status: string }>(
      `SELECT item_index, attempt, status FROM step_executions WHERE execution_id = $1 AND item_index IS NOT NULL ORDER BY item_index`,
      [done.id],
      t.db.name,
    );
    expect(rows).toHaveLength(n);
    expect(rows.every((r, i) => r.item_index === i && r.attempt === 1 && r.status === 'completed')).toBe(true);

    // GET /executions/{id} holds the first page; GET /executions/{id}/steps pages through the rest.
    expect(done.steps).toHaveLength(100);
    expect(done.steps.slice(0, 3).map((s: { stepId: string; itemIndex: number | null }) => [s.stepId, s.itemIndex])).toEqual([['each', null], ['gen', null], ['join', null]]);
    expect(done.stepsNextCursor).toEqual(expect.any(String));
    const seen = [...done.steps];
    let cursor: string | null = done.stepsNextCursor;
    let pages = 0;
    while (cursor) {
      const page = await api('GET', `/api/v3/executions/${done.id}/steps?limit=200&cursor=${encodeURIComponent(cursor)}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    }
    expect(pages).toBe(10);
    expect(seen).toHaveLength(n + 3);
    expect(new Set(seen.map((s) => s.id)).size).toBe(n + 3);
    expect(seen.slice(3).map((s) => [s.stepId, s.itemIndex])).toEqual(Array.from({ length: n }, (_, i) => ['each', i]));
    const fromStart = await api('GET', `/api/v3/executions/${done.id}/steps?limit=5`);
    expect(fromStart.body.items.map((s: { id: string }) => s.id)).toEqual(seen.slice(0, 5).map((s) => s.id));

    // Another tenant's execution is not found; a cursor that isn't one is a 400.
    const other = apiClient(t.url, (await t.newTenant('other')).key);
    expect((await other('GET', `/api/v3/executions/${done.id}/steps`)).status).toBe(404);
    expect((await other('GET', `/api/v3/executions/${done.id}`)).status).toBe(404);
    const forged = await api('GET', `/api/v3/executions/${done.id}/steps?cursor=bm90LWEtY3Vyc29y`);
    expect(forged.status).toBe(400);
  });

  it('fails a forEach whose list of outputs is over STEP_OUTPUT_MAX_BYTES with OUTPUT_TOO_LARGE', async () => {
    await activeWorkflow(api, { id: 'fan-big', steps: [{ id: 'each', type: 'transform', forEach: 'inputs.items', params: { output: '${{ inputs.pad }}' } }] });
    const done = await waitForExecution(api, (await start(api, 'fan-big', { items: [1, 2, 3, 4], pad: 'z'.repeat(20_000) })).body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'OUTPUT_TOO_LARGE', stepId: 'each' });
  });
});
