import { DataSource } from 'typeorm';
import { activeWorkflow, start, testServer, TestServer, waitForExecution, waitForStep } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const E = '/api/v3/executions';

describe('executions over HTTP (engine e2e)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let http: TestServer;

  beforeAll(async () => {
    http = await testServer();
    t = await startTestApp('executions', { HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*', WORKER_POLL_MS: '100', WORKER_CONCURRENCY: '8' });
    api = apiClient(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
    await http?.close();
  });

  it('runs a diamond DAG with templates and a false condition', async () => {
    await activeWorkflow(api, {
      id: 'diamond',
      outputs: { summary: '${{ steps.join.output.b }}', skipped: '${{ steps.right.status }}' },
      steps: [
        { id: 'fetch', type: 'transform', params: { output: { text: '${{ inputs.text }}', n: '${{ size(inputs.text) }}' } } },
        { id: 'left', type: 'transform', dependsOn: ['fetch'], params: { output: 'L:${{ steps.fetch.output.text }}' } },
        { id: 'right', type: 'transform', dependsOn: ['fetch'], condition: 'inputs.full', params: { output: 'R' } },
        { id: 'join', type: 'transform', dependsOn: ['left', 'right'], params: { output: { b: '${{ steps.left.output }}', n: '${{ steps.fetch.output.n + 1 }}' } } },
      ],
    });
    const started = await start(api, 'diamond', { text: 'hello', full: false });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: expect.any(String), status: 'running', workflowVersion: '1.0.0' });
    const done = await waitForExecution(api, started.body.id);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual({ summary: 'L:hello', skipped: 'skipped' });
    const byId = Object.fromEntries(done.steps.map((s: { stepId: string }) => [s.stepId, s]));
    expect(byId.fetch.output).toEqual({ text: 'hello', n: 5 });
    expect(byId.right).toMatchObject({ status: 'skipped', skipReason: 'CONDITION_FALSE' });
    expect(byId.join).toMatchObject({ status: 'completed', output: { b: 'L:hello', n: 6 }, attempt: 1 });
  });

  it('retries with backoff, then fails the step, skips its dependent and names it in the error', async () => {
    await activeWorkflow(api, {
      id: 'flaky',
      steps: [
        { id: 'call', type: 'http_request', retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 300, jitter: false }, params: { url: `${http.url}/fail` } },
        { id: 'after', type: 'transform', dependsOn: ['call'], params: { output: 1 } },
        { id: 'independent', type: 'transform', params: { output: 2 } },
      ],
    });
    const before = http.requests.filter((r) => r.path === '/fail').length;
    const t0 = Date.now();
    const done = await waitForExecution(api, (await start(api, 'flaky')).body.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(http.requests.filter((r) => r.path === '/fail').length - before).toBe(3);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'HTTP_STATUS', stepId: 'call' });
    const byId = Object.fromEntries(done.steps.map((s: { stepId: string }) => [s.stepId, s]));
    expect(byId.call).toMatchObject({ status: 'failed', attempt: 3 });
    expect(byId.after).toMatchObject({ status: 'skipped', skipReason: 'UPSTREAM_FAILED' });
    expect(byId.independent.status).toBe('completed');
  });

  it('fails an attempt that runs past timeoutSeconds with STEP_TIMEOUT', async () => {
    await activeWorkflow(api, { id: 'slow', steps: [{ id: 'wait', type: 'http_request', timeoutSeconds: 1, params: { url: `${http.url}/slow?ms=5000`, timeoutMs: 60000 } }] });
    const done = await waitForExecution(api, (await start(api, 'slow')).body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'STEP_TIMEOUT', stepId: 'wait' });
  });

  it('cancels mid-run: the running handler is aborted, the rest cancelled; a second cancel is 409', async () => {
    await activeWorkflow(api, {
      id: 'cancellable',
      steps: [
        { id: 'long', type: 'http_request', params: { url: `${http.url}/slow?ms=20000&tag=cancel`, timeoutMs: 60000 } },
        { id: 'next', type: 'transform', dependsOn: ['long'], params: { output: 1 } },
      ],
    });
    const id = (await start(api, 'cancellable')).body.id;
    await waitForStep(api, id, 'long', 'running');
    await new Promise((r) => setTimeout(r, 200));
    const cancelled = await api('POST', `${E}/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.steps.map((s: { status: string }) => s.status)).toEqual(['cancelled', 'cancelled']);
    const until = Date.now() + 5000;
    while (!http.requests.find((r) => r.path === '/slow' && r.aborted) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(http.requests.find((r) => r.path === '/slow' && r.aborted)).toBeDefined();
    const again = await api('POST', `${E}/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EXECUTION_NOT_RUNNING');
  });

  it('resumes a step waiting for a signal, and keeps a signal sent before the step waits', async () => {
    await activeWorkflow(api, {
      id: 'approval',
      steps: [
        { id: 'approve', type: 'wait_for_signal', params: { signal: 'approved' } },
        { id: 'use', type: 'transform', dependsOn: ['approve'], params: { output: 'by ${{ steps.approve.output.user }}' } },
      ],
    });
    const id = (await start(api, 'approval')).body.id;
    const waiting = await waitForStep(api, id, 'approve', 'waiting');
    expect(waiting.availableAt).toBeNull();
    const sent = await api('POST', `${E}/${id}/signals/approved`, { body: { user: 'ada' } });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ delivered: true });
    const done = await waitForExecution(api, id);
    expect(done.outputs.use).toBe('by ada');

    await activeWorkflow(api, {
      id: 'early-signal',
      steps: [
        { id: 'first', type: 'delay', params: { seconds: 1 } },
        { id: 'gate', type: 'wait_for_signal', dependsOn: ['first'], params: { signal: 'go' } },
      ],
    });
    const early = (await start(api, 'early-signal')).body.id;
    expect((await api('POST', `${E}/${early}/signals/go`, { body: { n: 1 } })).body).toEqual({ delivered: false });
    expect((await waitForExecution(api, early)).outputs.gate).toEqual({ n: 1 });
    expect((await api('POST', `${E}/${early}/signals/go`)).status).toBe(409);
  });

  it('waits on a durable delay without holding a worker', async () => {
    await activeWorkflow(api, { id: 'delayed', steps: [{ id: 'nap', type: 'delay', params: { seconds: 1 } }] });
    const t0 = Date.now();
    const id = (await start(api, 'delayed')).body.id;
    await waitForStep(api, id, 'nap', 'waiting');
    const done = await waitForExecution(api, id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(new Date(done.outputs.nap.firedAt).getTime()).toBeGreaterThanOrEqual(t0 + 1000);
  });

  it('fans out forEach over 50 items and fans in their outputs in order', async () => {
    await activeWorkflow(api, {
      id: 'fanout',
      steps: [
        { id: 'double', type: 'transform', forEach: 'inputs.items', params: { output: { i: '${{ index }}', v: '${{ item * 2 }}' } } },
        { id: 'count', type: 'transform', dependsOn: ['double'], params: { output: '${{ size(steps.double.output) }}' } },
      ],
    });
    const items = Array.from({ length: 50 }, (_, i) => i + 1);
    const done = await waitForExecution(api, (await start(api, 'fanout', { items })).body.id);
    expect(done.status).toBe('completed');
    expect(done.outputs.double).toEqual(items.map((v, i) => ({ i, v: v * 2 })));
    expect(done.outputs.count).toBe(50);
    expect(done.steps.filter((s: { itemIndex: number | null }) => s.itemIndex !== null)).toHaveLength(50);
  });

  it('runs a sub-workflow and takes its outputs', async () => {
    await activeWorkflow(api, { id: 'child', outputs: { greeting: 'hello ${{ inputs.name }}' }, steps: [{ id: 'noop', type: 'transform', params: { output: 1 } }] });
    await activeWorkflow(api, {
      id: 'parent',
      steps: [
        { id: 'call', type: 'sub_workflow', params: { workflowId: 'child', inputs: { name: '${{ inputs.who }}' } } },
        { id: 'shout', type: 'transform', dependsOn: ['call'], params: { output: '${{ steps.call.output.greeting }}!' } },
      ],
    });
    const id = (await start(api, 'parent', { who: 'world' })).body.id;
    const done = await waitForExecution(api, id);
    expect(done.outputs.shout).toBe('hello world!');
    const children = await api('GET', `${E}?workflowId=child`);
    expect(children.body.items[0]).toMatchObject({ parentExecutionId: id, triggeredBy: 'parent', status: 'completed' });
  });

  it('starts once per Idempotency-Key; another body with the same key is 409', async () => {
    await activeWorkflow(api, { id: 'once', steps: [{ id: 'a', type: 'transform', params: { output: '${{ inputs.n }}' } }] });
    const first = await start(api, 'once', { n: 1 }, { 'idempotency-key': 'order-42' });
    const repeat = await start(api, 'once', { n: 1 }, { 'idempotency-key': 'order-42' });
    expect(repeat.status).toBe(202);
    expect(repeat.body.id).toBe(first.body.id);
    const reused = await start(api, 'once', { n: 2 }, { 'idempotency-key': 'order-42' });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await api('GET', `${E}?workflowId=once`)).body.items).toHaveLength(1);
  });

  it('streams the execution events as SSE, in order, and closes when it ends', async () => {
    await activeWorkflow(api, {
      id: 'streamed',
      steps: [
        { id: 'a', type: 'delay', params: { seconds: 1 } },
        { id: 'b', type: 'transform', dependsOn: ['a'], params: { output: 'done' } },
      ],
    });
    const id = (await start(api, 'streamed')).body.id;
    const res = await fetch(`${t.url}${E}/${id}/events`, { headers: { authorization: `Bearer ${t.key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event: '))
      .map((block) => ({ id: /^id: (.+)$/m.exec(block)![1], type: /^event: (\w+)/m.exec(block)![1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) }));
    // id: the event's id, in the outbox's (tx_id, position) order; data: the envelope.
    const stored: { id: string }[] = await t.app.get(DataSource).query(`SELECT id FROM domain_events WHERE aggregate_id = $1 ORDER BY tx_id, position`, [id]);
    expect(events.map((e) => e.id)).toEqual(stored.map((r) => r.id));
    expect(events[0].data).toMatchObject({ id: events[0].id, tenantId: t.tenantId, type: 'WorkflowExecutionStarted', aggregateType: 'WorkflowExecution', aggregateId: id, executionId: id });
    const order = events.map((e) => `${e.type}${e.data.payload.stepId ? `:${e.data.payload.stepId}` : ''}`);
    expect(order).toEqual([
      'WorkflowExecutionStarted',
      'StepExecutionStarted:a',
      'StepExecutionWaiting:a',
      'StepExecutionCompleted:a',
      'StepExecutionStarted:b',
      'StepExecutionCompleted:b',
      'WorkflowExecutionCompleted',
    ]);
  });

  it('checks inputs against inputSchema, hides other tenants, and retries a failed execution', async () => {
    await activeWorkflow(api, {
      id: 'typed',
      inputSchema: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } },
      steps: [{ id: 'a', type: 'transform', params: { output: '${{ inputs.n }}' } }],
    });
    const bad = await start(api, 'typed', { n: 0 });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors[0].path).toContain('n');
    const other = await t.newTenant('other');
    const id = (await start(api, 'typed', { n: 2 })).body.id;
    expect((await api('GET', `${E}/${id}`, { key: other.key })).status).toBe(404);
    expect((await api('POST', `${E}/${id}/cancel`, { key: other.key })).status).toBe(404);
    expect((await start(api, 'typed', { n: 2 }, undefined)).status).toBe(202);
    expect((await api('POST', `/api/v3/workflows/typed/executions`, { key: other.key, body: { inputs: { n: 2 } } })).status).toBe(404);
    expect((await api('GET', `${E}/not-a-uuid`)).status).toBe(404);

    await activeWorkflow(api, {
      id: 'retryable',
      steps: [
        { id: 'gate', type: 'http_request', params: { url: '${{ inputs.url }}' } },
        { id: 'after', type: 'transform', dependsOn: ['gate'], params: { output: 'ok' } },
      ],
    });
    const failed = await waitForExecution(api, (await start(api, 'retryable', { url: `${http.url}/fail` })).body.id);
    expect(failed.status).toBe('failed');
    expect((await api('POST', `${E}/${id}/retry`)).status).toBe(409);
    // Same inputs, so it fails again — but it ran again from the failed step.
    const before = http.requests.filter((r) => r.path === '/fail').length;
    const retried = await api('POST', `${E}/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('running');
    const again = await waitForExecution(api, failed.id);
    expect(again.status).toBe('failed');
    expect(http.requests.filter((r) => r.path === '/fail').length).toBe(before + 1);
  });

  it('runs steps with the same concurrencyKey one at a time', async () => {
    await activeWorkflow(api, {
      id: 'serial',
      steps: [{ id: 'use', type: 'http_request', concurrencyKey: "'account-' + inputs.account", params: { url: `${http.url}/slow?ms=300` } }],
    });
    const ids = await Promise.all([1, 2, 3].map(async () => (await start(api, 'serial', { account: 'a1' })).body.id));
    const runs = await Promise.all(ids.map((id) => waitForExecution(api, id)));
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    const spans = runs.map((r) => r.steps[0]).map((s) => [Date.parse(s.startedAt), Date.parse(s.completedAt)]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('refuses to start a draft, and an unknown workflow is 404', async () => {
    await api('POST', '/api/v3/workflows', { body: { id: 'drafty', version: '1.0.0', name: 'x', steps: [{ id: 'a', type: 'transform' }] } });
    const draft = await start(api, 'drafty');
    expect(draft.status).toBe(409);
    expect(draft.body.code).toBe('WORKFLOW_NOT_ACTIVE');
    expect((await start(api, 'nope')).status).toBe(404);
  });

  it('lists executions by creation time (from inclusive, to exclusive), with the other filters; a bad time or range is 422', async () => {
    await activeWorkflow(api, { id: 'timed', steps: [{ id: 'a', type: 'transform', params: { output: 1 } }] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await start(api, 'timed')).body.id);
    // Their creation times, set apart: day 1, day 2, day 3 of 2026-01.
    const db = t.app.get(DataSource);
    for (const [i, id] of ids.entries()) await db.query(`UPDATE workflow_executions SET created_at = $2 WHERE id = $1`, [id, `2026-01-0${i + 1}T12:00:00Z`]);
    const list = async (query: string) => {
      const res = await api('GET', `${E}?workflowId=timed&${query}`);
      expect(res.status).toBe(200);
      return (res.body.items as { id: string }[]).map((e) => e.id);
    };
    expect(await list('from=2026-01-02T12:00:00Z')).toEqual([ids[2], ids[1]]);
    expect(await list('to=2026-01-02T12:00:00Z')).toEqual([ids[0]]);
    expect(await list('from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z&limit=1')).toEqual([ids[1]]);
    // The cursor keeps the window: the next page holds the older one inside it, and nothing after.
    const first = await api('GET', `${E}?workflowId=timed&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z&limit=1`);
    const next = await api('GET', `${E}?workflowId=timed&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(next.body.items.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
    expect(next.body.nextCursor).toBeNull();
    expect(await list('from=2027-01-01T00:00:00Z')).toEqual([]);
    for (const bad of ['from=yesterday', 'to=2026-13-01', 'from=2026-01-03T00:00:00Z&to=2026-01-01T00:00:00Z']) {
      const res = await api('GET', `${E}?${bad}`);
      expect([bad, res.status, res.body.code, res.headers.get('content-type')]).toEqual([bad, 422, 'VALIDATION_FAILED', expect.stringContaining('application/problem+json')]);
    }
  });
});
