import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const T = '/api/v3/traces';

interface Node {
  id: string;
  type: string;
  entityId: string;
  parentId: string | null;
  name: string;
  status: string;
  inputs: unknown;
  outputs: unknown;
  error: any;
  metadata: Record<string, unknown>;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  children: Node[];
  totals?: Record<string, number | null>;
}

describe('traces over HTTP (spans written from engine events)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('traces', { AGENT_WORKER_ENABLED: 'false', WORKER_POLL_MS: '100' });
    api = apiClient(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Spans arrive through the outbox relay, asynchronously: poll until the workflow's tree satisfies `done`. */
  async function waitForTrace(executionId: string, done: (tree: Node) => boolean, ms = 20_000): Promise<Node> {
    const until = Date.now() + ms;
    let last: unknown;
    for (;;) {
      const list = await api('GET', `${T}?entityId=${executionId}&type=workflow`);
      expect(list.status).toBe(200);
      if (list.body.items.length === 1) {
        const tree = await api('GET', `${T}/${list.body.items[0].id}`);
        expect(tree.status).toBe(200);
        if (done(tree.body)) return tree.body;
        last = tree.body;
      }
      if (Date.now() > until) throw new Error(`trace of ${executionId} not complete after ${ms} ms: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const finished = (s: Node) => ['completed', 'failed', 'cancelled'].includes(s.status);

  it('shows a completed workflow as its span with one child span per step, statuses and durations', async () => {
    await activeWorkflow(api, {
      id: 'traced',
      steps: [
        { id: 'fetch', type: 'transform', params: { output: { text: '${{ inputs.text }}' } } },
        { id: 'left', type: 'transform', dependsOn: ['fetch'], params: { output: 'L:${{ steps.fetch.output.text }}' } },
        { id: 'right', type: 'transform', dependsOn: ['fetch'], params: { output: 'R' } },
      ],
    });
    const started = await start(api, 'traced', { text: 'hi' });
    expect(started.status).toBe(202);
    const execution = await waitForExecution(api, started.body.id);
    expect(execution.status).toBe('completed');

    const tree = await waitForTrace(execution.id, (n) => n.status === 'completed' && n.children.length === 3 && n.children.every(finished));
    expect(tree).toMatchObject({ type: 'workflow', entityId: execution.id, parentId: null, name: 'traced@1.0.0', status: 'completed', error: null, outputs: execution.outputs });
    expect(tree.startedAt).toBe(execution.startedAt);
    expect(tree.durationMs).toBe(Date.parse(tree.completedAt!) - Date.parse(tree.startedAt!));
    expect(tree.durationMs).toBeGreaterThanOrEqual(0);
    expect(tree.totals).toEqual({ tokensIn: 0, tokensOut: 0, costUsd: 0, modelCalls: 0, toolCalls: 0, durationMs: tree.durationMs });

    // fetch runs first; left and right after it (in either order).
    expect(tree.children[0].name).toBe('fetch');
    expect(tree.children.map((c) => c.name).sort()).toEqual(['fetch', 'left', 'right']);
    const stepIds = Object.fromEntries(execution.steps.map((s: { stepId: string; id: string; output: unknown }) => [s.stepId, s]));
    for (const span of tree.children) {
      expect(span).toMatchObject({ type: 'step', parentId: tree.id, status: 'completed', entityId: stepIds[span.name].id, outputs: stepIds[span.name].output, children: [] });
      expect(span.metadata).toMatchObject({ attempt: 1, stepType: 'transform' });
      expect(span.durationMs).toBe(Date.parse(span.completedAt!) - Date.parse(span.startedAt!));
      expect(Date.parse(span.startedAt!)).toBeGreaterThanOrEqual(Date.parse(tree.startedAt!));
    }
    expect(Date.parse(tree.children[1].startedAt!)).toBeGreaterThanOrEqual(Date.parse(tree.children[0].startedAt!));
  });

  it('shows a failing step as failed, its dependent as cancelled and the workflow as failed with the step’s error', async () => {
    await activeWorkflow(api, {
      id: 'broken',
      steps: [
        { id: 'ok', type: 'transform', params: { output: 1 } },
        { id: 'bad', type: 'transform', dependsOn: ['ok'], params: { output: '${{ inputs.n + "s" }}' } },
        { id: 'after', type: 'transform', dependsOn: ['bad'], params: { output: 2 } },
      ],
    });
    const execution = await waitForExecution(api, (await start(api, 'broken', { n: 1 })).body.id);
    expect(execution.status).toBe('failed');

    const tree = await waitForTrace(execution.id, (n) => n.status === 'failed' && n.children.length === 3 && n.children.every(finished));
    expect(tree.error).toEqual(execution.error);
    expect(tree.error).toMatchObject({ code: 'EXPRESSION_ERROR', stepId: 'bad' });
    const byName = Object.fromEntries(tree.children.map((c) => [c.name, c]));
    expect(byName.ok).toMatchObject({ status: 'completed', outputs: 1 });
    expect(byName.bad).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_ERROR' }, outputs: null });
    expect(byName.bad.durationMs).toEqual(expect.any(Number));
    expect(byName.after).toMatchObject({ status: 'cancelled', error: { reason: 'UPSTREAM_FAILED' }, startedAt: null, durationMs: null });
    expect(tree.children.map((c) => c.name)).toEqual(['ok', 'bad', 'after']);
  });

  it('hides another tenant’s spans (404) and answers 404 problem+json for an unknown or malformed id', async () => {
    await activeWorkflow(api, { id: 'private', steps: [{ id: 'only', type: 'transform', params: { output: 1 } }] });
    const execution = await waitForExecution(api, (await start(api, 'private')).body.id);
    const tree = await waitForTrace(execution.id, (n) => n.status === 'completed' && n.children.length === 1);

    const other = await t.newTenant('other');
    const asOther = apiClient(t.url, other.key);
    const hidden = await asOther('GET', `${T}/${tree.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toContain('application/problem+json');
    expect(hidden.body).toMatchObject({ status: 404, code: 'TRACE_NOT_FOUND' });
    expect(JSON.stringify(hidden.body)).not.toContain(execution.id);
    expect((await asOther('GET', `${T}?entityId=${execution.id}`)).body).toEqual({ items: [], nextCursor: null });
    expect((await asOther('GET', `${T}/${tree.children[0].id}`)).status).toBe(404);

    for (const id of ['not-a-uuid', '01890a5d-ac96-774b-bcce-b302099a8057', "x'; DROP TABLE trace_spans; --"]) {
      const res = await api('GET', `${T}/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('TRACE_NOT_FOUND');
    }
    expect((await api('GET', `${T}/${tree.id}`, { key: null })).status).toBe(401);
  });

  it('lists spans by entity and type with the root of their trace, pages them, and rejects bad filters', async () => {
    await activeWorkflow(api, {
      id: 'listed',
      steps: ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'transform', params: { output: id } })),
    });
    const execution = await waitForExecution(api, (await start(api, 'listed')).body.id);
    const tree = await waitForTrace(execution.id, (n) => n.status === 'completed' && n.children.length === 4 && n.children.every(finished));

    const stepExecution = execution.steps.find((s: { stepId: string }) => s.stepId === 'c');
    const byEntity = await api('GET', `${T}?entityId=${stepExecution.id}&type=step`);
    expect(byEntity.status).toBe(200);
    expect(byEntity.body.items).toHaveLength(1);
    expect(byEntity.body.items[0]).toMatchObject({ type: 'step', name: 'c', entityId: stepExecution.id, parentId: tree.id, rootId: tree.id, status: 'completed', outputs: 'c' });
    expect(byEntity.body.items[0]).not.toHaveProperty('children');
    expect((await api('GET', `${T}?entityId=${stepExecution.id}&type=workflow`)).body.items).toEqual([]);
    const workflowOnly = await api('GET', `${T}?entityId=${execution.id}`);
    expect(workflowOnly.body.items.map((s: Node) => [s.type, s.id])).toEqual([['workflow', tree.id]]);

    // Keyset pages over every step span of the tenant, newest first, no overlap.
    const all = (await api('GET', `${T}?type=step&limit=200`)).body.items.map((s: Node) => s.id);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Node[]; nextCursor: string | null } } = await api('GET', `${T}?type=step&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect([...all].sort().reverse()).toEqual(all);

    const badType = await api('GET', `${T}?type=span`);
    expect(badType.status).toBe(422);
    expect(badType.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'type' })] });
    expect((await api('GET', `${T}?limit=0`)).status).toBe(422);
    const unknown = await api('GET', `${T}?rootId=x`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('UNKNOWN_FIELD');
    const badCursor = await api('GET', `${T}?cursor=${Buffer.from('{"id":"nope"}').toString('base64url')}`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('INVALID_CURSOR');
  });
});
