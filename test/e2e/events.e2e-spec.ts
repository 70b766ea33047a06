import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { encodeCursor } from '@cognition/platform/pagination/cursor';
import { activeWorkflow, start, testServer, TestServer, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { ROOT } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';
import { adminRows } from '../support/test-database';
import { until } from '../support/wait';

type Api = ReturnType<typeof apiClient>;

const E = '/api/v3/events';
const S = '/api/v3/subscriptions';
const D = '/api/v3/dead-letters';
const SUBSCRIBERS = ['engine.link-agent-task-steps', 'engine.resume-agent-task-steps', 'task.cancel-on-workflow-execution-cancelled', 'trace-spans'];

/** Every column of the tenant's spans but the row's own bookkeeping (created_at, updated_at). */
const SPANS = `SELECT id, type, entity_id, parent_id, name, status, inputs, outputs, error, metadata, started_at, completed_at, status_event_tx, status_event_position
               FROM trace_spans WHERE tenant_id = $1 ORDER BY id`;

describe('the event store API: events, subscribers, replay, dead letters', () => {
  let t: TestApp;
  let api: Api;
  let other: { tenantId: string; key: string };
  let otherApi: Api;
  let server: TestServer;
  const executions: string[] = [];

  beforeAll(async () => {
    server = await testServer();
    t = await startTestApp('events', {
      WORKER_POLL_MS: '100',
      AGENT_POLL_MS: '100',
      OUTBOX_POLL_MS: '100',
      EVENT_METRICS_INTERVAL_MS: '200',
      HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
    });
    api = apiClient(t.url, t.key);
    other = await t.newTenant('other');
    otherApi = apiClient(t.url, other.key);

    // Executions whose spans cover every kind the projection writes: steps, forEach items, retries,
    // a failure, a sub-workflow, and an agent task with its run and model calls.
    expect((await api('POST', '/api/v3/agent-definitions', { body: { name: 'greeter', role: 'executor', capabilities: ['greeting'] } })).status).toBe(201);
    await activeWorkflow(api, {
      id: 'child',
      steps: [
        { id: 'a', type: 'transform', params: { output: { hello: '${{ inputs.who }}' } } },
        { id: 'each', type: 'transform', dependsOn: ['a'], forEach: '[1, 2, 3]', params: { output: '${{ item * 2 }}' } },
      ],
    });
    await activeWorkflow(api, {
      id: 'parent',
      steps: [
        { id: 'call', type: 'sub_workflow', params: { workflowId: 'child', inputs: { who: 'ada' } } },
        { id: 'ask', type: 'agent_task', dependsOn: ['call'], params: { instructions: 'Say hello', input: 'Ada', capabilities: ['greeting'] } },
      ],
    });
    await activeWorkflow(api, {
      id: 'flaky',
      steps: [{ id: 'fetch', type: 'http_request', retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 10 }, params: { url: `${server.url}/fail` } }],
    });
    for (const [id, inputs] of [['parent', {}], ['child', { who: 'bob' }], ['flaky', {}]] as const) {
      const res = await start(api, id, inputs);
      expect(res.status).toBe(202);
      executions.push(res.body.id);
    }
    for (const id of executions) await waitForExecution(api, id);
    await activeWorkflow(otherApi, { id: 'child', steps: [{ id: 'a', type: 'transform', params: { output: 1 } }] });
    await waitForExecution(otherApi, (await start(otherApi, 'child')).body.id);
    await caughtUp(api);
    await caughtUp(otherApi);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  /** Every subscriber has taken every event of the caller's. */
  function caughtUp(client: Api) {
    return until(
      () => client('GET', S).then((r) => r.body.items as any[]),
      (items) => items.length === SUBSCRIBERS.length && items.every((s) => s.state === 'caught-up'),
      'subscribers to catch up',
    );
  }

  const db = <T = any>(sql: string, params: unknown[] = []) => adminRows<T>(sql, params, t.db.name);

  describe('GET /events', () => {
    it('lists the tenant’s events in store order, as the SSE stream’s envelopes, page by page', async () => {
      const execution = executions[1];
      const all = await api('GET', `${E}?aggregateId=${execution}&limit=200`);
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      const order = await db<{ id: string }>(`SELECT id FROM domain_events WHERE aggregate_id = $1 ORDER BY tx_id, position`, [execution]);
      expect(all.body.items.map((e: any) => e.id)).toEqual(order.map((r) => r.id));
      expect(Object.keys(all.body.items[0]).sort()).toEqual(['aggregateId', 'aggregateType', 'correlationId', 'id', 'occurredAt', 'payload', 'position', 'tenantId', 'type']);
      expect(all.body.items[0]).toMatchObject({
        id: expect.any(String),
        position: expect.stringMatching(/^\d+$/),
        tenantId: t.tenantId,
        type: 'WorkflowExecutionStarted',
        aggregateType: 'WorkflowExecution',
        aggregateId: execution,
        payload: expect.objectContaining({ workflowId: 'child' }),
        occurredAt: expect.stringMatching(/Z$/),
      });

      // The same envelopes the execution's event stream sends (plus its executionId).
      const stream = await fetch(`${t.url}/api/v3/executions/${execution}/events`, { headers: { authorization: `Bearer ${t.key}` } });
      const text = await stream.text();
      const sent = text
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => JSON.parse(l.slice(5)));
      expect(sent).toEqual(all.body.items.map((e: any) => ({ ...e, executionId: execution })));

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await api('GET', `${E}?aggregateId=${execution}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.body.items.map((e: any) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(order.map((r) => r.id));
    });

    it('filters by type, aggregate type, a position to continue after, and time', async () => {
      const completed = await api('GET', `${E}?type=WorkflowExecutionCompleted&limit=200`);
      expect(completed.body.items.length).toBeGreaterThanOrEqual(2);
      expect(new Set(completed.body.items.map((e: any) => e.type))).toEqual(new Set(['WorkflowExecutionCompleted']));
      const tasks = await api('GET', `${E}?aggregateType=Task&limit=200`);
      expect(tasks.body.items.length).toBeGreaterThan(0);
      expect(new Set(tasks.body.items.map((e: any) => e.aggregateType))).toEqual(new Set(['Task']));

      const execution = executions[0];
      const all = (await api('GET', `${E}?aggregateId=${execution}&limit=200`)).body.items;
      const rest = await api('GET', `${E}?aggregateId=${execution}&after=${all[1].position}&limit=200`);
      expect(rest.body.items.map((e: any) => e.id)).toEqual(all.slice(2).map((e: any) => e.id));
      expect((await api('GET', `${E}?aggregateId=${execution}&after=0&limit=200`)).body.items).toEqual(all);

      const at = all[0].occurredAt;
      const since = await api('GET', `${E}?aggregateId=${execution}&from=${encodeURIComponent(at)}&limit=200`);
      expect(since.body.items.every((e: any) => e.occurredAt >= at)).toBe(true);
      expect((await api('GET', `${E}?aggregateId=${execution}&to=${encodeURIComponent(at)}&limit=200`)).body.items.every((e: any) => e.occurredAt < at)).toBe(true);
      expect((await api('GET', `${E}?from=2999-01-01T00:00:00Z`)).body.items).toEqual([]);
    });

    it('never shows another tenant’s events, and refuses bad parameters with problem+json', async () => {
      const theirs = (await otherApi('GET', `${E}?limit=200`)).body.items;
      expect(theirs.length).toBeGreaterThan(0);
      expect(new Set(theirs.map((e: any) => e.tenantId))).toEqual(new Set([other.tenantId]));
      expect((await otherApi('GET', `${E}?aggregateId=${executions[0]}`)).body.items).toEqual([]);
      // Another tenant's position is not one to continue after.
      const foreign = await api('GET', `${E}?after=${theirs[0].position}`);
      expect(foreign.status).toBe(400);
      expect(foreign.body).toMatchObject({ code: 'BAD_REQUEST', errors: [expect.objectContaining({ path: 'after', code: 'UNKNOWN_POSITION' })] });
      expect(foreign.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await api('GET', `${E}?after=9223372036854775807`)).status).toBe(400);
      expect((await api('GET', `${E}?after=9999999999999999999`)).status).toBe(400);

      for (const bad of ['after=-1', 'after=abc', 'after=99999999999999999999', 'from=yesterday', 'to=2026-13-01', 'limit=0', 'limit=201', `type=${'x'.repeat(256)}`]) {
        const res = await api('GET', `${E}?${bad}`);
        expect([bad, res.status, res.body.code]).toEqual([bad, 422, 'VALIDATION_FAILED']);
      }
      expect((await api('GET', `${E}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
      expect((await api('GET', `${E}?unknown=1`)).body).toMatchObject({ status: 400, code: 'UNKNOWN_FIELD' });
      // Cursors: garbage, and well-tagged ones with values that are not a place in the store.
      for (const cursor of ['garbage', encodeCursor({ txId: 'x', position: '1' }), encodeCursor({ txId: '1', position: '99999999999999999999' }), encodeCursor({ id: executions[0] })]) {
        const res = await api('GET', `${E}?cursor=${encodeURIComponent(cursor)}`);
        expect([res.status, res.body.code]).toEqual([400, 'INVALID_CURSOR']);
      }
    });
  });

  describe('GET /subscriptions', () => {
    it('lists every durable subscriber with its checkpoint, the tenant’s lag and dead letters, and its state', async () => {
      const res = await api('GET', S);
      expect(res.status).toBe(200);
      expect(res.body.items.map((s: any) => s.name)).toEqual(SUBSCRIBERS);
      const trace = res.body.items.find((s: any) => s.name === 'trace-spans');
      const [cp] = await db(`SELECT last_position::text AS position, last_tx_id::text AS tx FROM event_subscriptions WHERE name = 'trace-spans'`);
      expect(trace).toEqual({
        name: 'trace-spans',
        eventTypes: expect.arrayContaining(['WorkflowExecutionStarted', 'StepExecutionCompleted', 'TaskCreated', 'AgentModelCalled']),
        checkpoint: { position: cp.position, txId: cp.tx, updatedAt: expect.any(String) },
        lag: { events: 0, capped: false },
        deadLetters: 0,
        state: 'caught-up',
        retry: null,
      });
    });
  });

  describe('replay', () => {
    it('rebuilds the trace projection from nothing: the same spans, ids, parents, attributes and timings', async () => {
      const before = await db(SPANS, [t.tenantId]);
      const theirs = await db(SPANS, [other.tenantId]);
      expect(before.length).toBeGreaterThanOrEqual(15);
      expect(new Set(before.map((s) => s.type))).toEqual(new Set(['workflow', 'step', 'task', 'agent_action', 'model_call']));
      expect(before.some((s) => s.status === 'failed')).toBe(true);
      const trees = await Promise.all(executions.map(async (id) => (await api('GET', `/api/v3/traces/${await rootOf(id)}`)).body));
      const [checkpoint] = await db(`SELECT last_tx_id::text, last_position::text, updated_at FROM event_subscriptions WHERE name = 'trace-spans'`);

      await db(`DELETE FROM trace_spans WHERE tenant_id = $1`, [t.tenantId]);
      expect((await api('GET', `/api/v3/traces?entityId=${executions[0]}`)).body.items).toEqual([]);

      const replay = await api('POST', `${S}/trace-spans/replay`, { body: { fromPosition: 0 } });
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({ subscriber: 'trace-spans', status: 'pending', filter: { fromPosition: '0' }, uptoPosition: checkpoint.last_position, delivered: 0 });
      const done = await until(
        () => api('GET', `${S}/trace-spans/replays/${replay.body.id}`).then((r) => r.body),
        (r) => r.status === 'completed',
        'the replay',
        60_000,
      );
      expect(done).toMatchObject({ deadLettered: 0, error: null, retry: null, position: expect.any(String), startedAt: expect.any(String), finishedAt: expect.any(String) });
      expect(done.delivered).toBeGreaterThan(0);

      expect(await db(SPANS, [t.tenantId])).toEqual(before);
      for (const [i, id] of executions.entries()) expect((await api('GET', `/api/v3/traces/${await rootOf(id)}`)).body).toEqual(trees[i]);
      // Nothing else moved: the other tenant's spans, the live checkpoint.
      expect(await db(SPANS, [other.tenantId])).toEqual(theirs);
      expect(await db(`SELECT last_tx_id::text, last_position::text, updated_at FROM event_subscriptions WHERE name = 'trace-spans'`)).toEqual([checkpoint]);
      // And replaying over spans that are there changes nothing either (the projection is idempotent).
      const again = await api('POST', `${S}/trace-spans/replay`, { body: { aggregateId: executions[0] } });
      await until(() => api('GET', `${S}/trace-spans/replays/${again.body.id}`).then((r) => r.body.status), (s) => s === 'completed', 'the second replay');
      expect(await db(SPANS, [t.tenantId])).toEqual(before);
    });

    async function rootOf(executionId: string): Promise<string> {
      const list = await api('GET', `/api/v3/traces?entityId=${executionId}&type=workflow`);
      expect(list.body.items).toHaveLength(1);
      return list.body.items[0].id;
    }

    it('refuses an unknown subscriber, a body without exactly one filter, and another tenant’s replay', async () => {
      expect((await api('POST', `${S}/nope/replay`, { body: { fromPosition: 0 } })).body).toMatchObject({ status: 404, code: 'SUBSCRIBER_NOT_FOUND' });
      for (const body of [{}, { fromPosition: 0, type: 'WorkflowExecutionStarted' }, { fromPosition: -1 }, { fromPosition: 'abc' }, { type: 'WorkflowCreated' }, { aggregateId: '' }]) {
        const res = await api('POST', `${S}/trace-spans/replay`, { body });
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 422, 'VALIDATION_FAILED']);
      }
      expect((await api('POST', `${S}/trace-spans/replay`, { body: { fromPosition: 0, since: 1 } })).body).toMatchObject({ status: 400, code: 'UNKNOWN_FIELD' });
      expect((await api('POST', `${S}/trace-spans/replay`, { rawBody: '{"fromPosition":' })).body).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });

      const mine = await api('POST', `${S}/trace-spans/replay`, { body: { type: 'WorkflowExecutionStarted' } });
      expect(mine.status).toBe(202);
      expect((await otherApi('GET', `${S}/trace-spans/replays/${mine.body.id}`)).body).toMatchObject({ status: 404, code: 'REPLAY_NOT_FOUND' });
      expect((await api('GET', `${S}/engine.link-agent-task-steps/replays/${mine.body.id}`)).body).toMatchObject({ status: 404, code: 'REPLAY_NOT_FOUND' });
      expect((await api('GET', `${S}/trace-spans/replays/not-a-uuid`)).body).toMatchObject({ status: 404, code: 'REPLAY_NOT_FOUND' });
    });
  });

  describe('dead letters', () => {
    /** A dead letter of trace-spans for one of the tenant's events (the relay writes them when a handler keeps failing: see dead-letters.int-spec.ts). */
    async function deadLetter(tenantId: string, type = 'WorkflowExecutionStarted'): Promise<string> {
      const [row] = await db<{ id: string }>(
        `INSERT INTO dead_letters (id, subscriber, event_id, position, tenant_id, type, error, attempts)
         SELECT gen_random_uuid(), 'trace-spans', id, position, tenant_id, type, '{"message": "boom", "code": "E_BOOM"}', 5
         FROM domain_events WHERE tenant_id = $1 AND type = $2 ORDER BY position DESC LIMIT 1 RETURNING id`,
        [tenantId, type],
      );
      return row.id;
    }

    it('lists, retries and discards them over the API; another tenant’s are 404', async () => {
      const first = await deadLetter(t.tenantId);
      const second = await deadLetter(t.tenantId, 'WorkflowExecutionCompleted');
      const theirs = await deadLetter(other.tenantId);

      const listed = await api('GET', `${D}?subscriber=trace-spans`);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((d: any) => d.id)).toEqual([second, first].sort().reverse());
      expect(listed.body.items.find((d: any) => d.id === first)).toMatchObject({
        subscriber: 'trace-spans',
        tenantId: t.tenantId,
        type: 'WorkflowExecutionStarted',
        error: { message: 'boom', code: 'E_BOOM' },
        attempts: 5,
        status: 'dead',
        resolvedAt: null,
        retryRequestedAt: null,
      });
      const page = await api('GET', `${D}?limit=1`);
      expect(page.body.items).toHaveLength(1);
      expect((await api('GET', `${D}?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`)).body.items.map((d: any) => d.id)).not.toContain(page.body.items[0].id);
      expect((await api('GET', `${D}?subscriber=engine.link-agent-task-steps`)).body.items).toEqual([]);
      expect((await api('GET', `${D}?status=retried`)).body.items).toEqual([]);
      expect((await api('GET', `${D}?status=lost`)).body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
      expect((await api('GET', `${D}?cursor=nope`)).body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
      expect((await otherApi('GET', D)).body.items.map((d: any) => d.id)).toEqual([theirs]);
      expect((await api('GET', S)).body.items.find((s: any) => s.name === 'trace-spans').deadLetters).toBe(2);
      await until(
        () => fetch(`${t.url}/metrics`).then((r) => r.text()),
        (text) => text.includes('cognitionos_dead_letters{subscriber="trace-spans"} 3'),
        'the dead-letter gauge',
      );

      for (const [method, path] of [['POST', `${D}/${theirs}/retry`], ['DELETE', `${D}/${theirs}`], ['POST', `${D}/not-a-uuid/retry`], ['DELETE', `${D}/not-a-uuid`]]) {
        expect((await api(method, path)).body).toMatchObject({ status: 404, code: 'DEAD_LETTER_NOT_FOUND' });
      }

      const retried = await api('POST', `${D}/${first}/retry`);
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ outcome: 'delivered', deadLetter: { id: first, status: 'retried', attempts: 6, resolvedAt: expect.any(String) } });
      expect((await api('POST', `${D}/${first}/retry`)).body).toMatchObject({ status: 409, code: 'DEAD_LETTER_RESOLVED' });
      expect((await api('DELETE', `${D}/${first}`)).body).toMatchObject({ status: 409, code: 'DEAD_LETTER_RESOLVED' });

      expect((await api('DELETE', `${D}/${second}`)).status).toBe(204);
      expect((await api('DELETE', `${D}/${second}`)).status).toBe(204);
      expect((await api('POST', `${D}/${second}/retry`)).body).toMatchObject({ status: 409, code: 'DEAD_LETTER_RESOLVED' });
      const [row] = await db(`SELECT status, resolved_at FROM dead_letters WHERE id = $1`, [second]);
      expect(row).toEqual({ status: 'discarded', resolved_at: expect.any(Date) });
      expect((await api('GET', `${D}?status=dead`)).body.items).toEqual([]);
      expect((await otherApi('GET', `${D}?status=dead`)).body.items.map((d: any) => d.id)).toEqual([theirs]);
    });

    it('the CLI lists, retries (through the running server) and discards them', async () => {
      const retry = await deadLetter(t.tenantId);
      const discard = await deadLetter(t.tenantId, 'WorkflowExecutionCompleted');

      const listed = await cli(['dead-letters:list', '--tenant', t.tenantId, '--status', 'dead']);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout).map((d: any) => d.id)).toEqual([discard, retry].sort().reverse());
      const all = await cli(['dead-letters:list', '--subscriber', 'trace-spans']);
      expect(JSON.parse(all.stdout).map((d: any) => d.tenantId)).toEqual(expect.arrayContaining([t.tenantId, other.tenantId]));

      const retried = await cli(['dead-letters:retry', retry]);
      expect(retried).toMatchObject({ code: 0 });
      expect(JSON.parse(retried.stdout)).toMatchObject({ outcome: 'delivered', deadLetter: { id: retry, status: 'retried', retryRequestedAt: null } });
      const again = await cli(['dead-letters:retry', retry]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`dead letter ${retry} is retried already`);

      const discarded = await cli(['dead-letters:discard', discard]);
      expect(discarded.code).toBe(0);
      expect(JSON.parse(discarded.stdout)).toMatchObject({ id: discard, status: 'discarded' });
      const missing = await cli(['dead-letters:discard', '00000000-0000-7000-8000-000000000000']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('not found');
    }, 120_000);

    /** The CLI from source, asynchronously: the server in this process must go on serving meanwhile. */
    function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        execFile(
          process.execPath,
          ['-r', require.resolve('ts-node/register'), join(ROOT, 'src/cli.ts'), ...args],
          { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LOG_LEVEL: 'silent', ...t.db.env }, timeout: 90_000 },
          (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    }
  });

  it('exports the dead-letter, subscriber-lag and relay-lag gauges', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of ['cognitionos_dead_letters{subscriber="trace-spans"}', 'cognitionos_event_subscriber_lag_events{subscriber="trace-spans"}', 'cognitionos_outbox_relay_lag_events', 'cognitionos_outbox_relay_lag_seconds']) {
      expect(text).toContain(name);
    }
  });
});
