import { CognitionOsError, createCognitionOsClient, type CognitionOsClient, type ExecutionEvent } from '../../../clients/typescript/src';
import { startTestApp, TestApp } from '../../support/test-app';

/**
 * The shipped TypeScript client (clients/typescript) against a live server: the README scenario —
 * create a workflow, start it, follow its events to the end, list, read an error — plus resuming a
 * cut event stream with Last-Event-ID, idempotency keys and pagination over several pages.
 */
describe('TypeScript client (e2e)', () => {
  let t: TestApp;
  let client: CognitionOsClient;
  const sentKeys: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('client');
    client = createCognitionOsClient({
      baseUrl: t.url,
      apiKey: t.key,
      idempotencyKey: () => {
        sentKeys.push(`key-${sentKeys.length + 1}`);
        return sentKeys[sentKeys.length - 1];
      },
    });
    await client.post('/api/v3/workflows', {
      body: {
        id: 'greet',
        version: '1.0.0',
        name: 'Greet',
        status: 'active',
        steps: [
          // openapi-typescript (default flags) types a property that has a `default` as required, in request
          // bodies too (its issues #1944, #2012): while the document gives timeoutSeconds and status defaults, typed calls name them.
          { id: 'each', type: 'transform', forEach: 'inputs.names', timeoutSeconds: 30, params: { output: 'hello ${{ item }}' } },
          { id: 'approve', type: 'wait_for_signal', dependsOn: ['each'], timeoutSeconds: 30, params: { signal: 'approved' } },
          { id: 'done', type: 'transform', dependsOn: ['approve'], timeoutSeconds: 30, params: { output: { greetings: '${{ steps.each.output }}', by: '${{ steps.approve.output.user }}' } } },
        ],
      },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  async function start(names: string[], idempotencyKey?: string) {
    return client.post('/api/v3/workflows/{id}/executions', {
      params: { path: { id: 'greet' }, ...(idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {}) },
      body: { inputs: { names } },
    });
  }

  async function collect(events: AsyncIterable<ExecutionEvent>, until?: (e: ExecutionEvent) => boolean): Promise<ExecutionEvent[]> {
    const seen: ExecutionEvent[] = [];
    for await (const event of events) {
      seen.push(event);
      if (until?.(event)) break;
    }
    return seen;
  }

  it('runs the README scenario: start, follow the events to completion, read the outputs', async () => {
    const started = await start(['ada', 'alan']);
    expect(['pending', 'running']).toContain(started.status);
    const following = collect(client.events(started.id));
    await client.post('/api/v3/executions/{id}/signals/{name}', { params: { path: { id: started.id, name: 'approved' } }, body: { user: 'grace' } });
    const events = await following;

    expect(events.length).toBeGreaterThan(3);
    expect(events[events.length - 1].type).toBe('WorkflowExecutionCompleted');
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) expect(e).toMatchObject({ tenantId: t.tenantId, aggregateId: started.id, aggregateType: expect.any(String), occurredAt: expect.any(String) });
    const execution = await client.get('/api/v3/executions/{id}', { params: { path: { id: started.id } } });
    expect(execution.status).toBe('completed');
    expect(execution.outputs).toEqual({ each: ['hello ada', 'hello alan'], approve: { user: 'grace' }, done: { greetings: ['hello ada', 'hello alan'], by: 'grace' } });
  });

  it('resumes a stream with Last-Event-ID: the events after it, once each, in order', async () => {
    const started = await start(['x']);
    const before = await collect(client.events(started.id), (e) => e.type.includes('Waiting'));
    expect(last(before).type).toMatch(/Waiting/);
    await client.post('/api/v3/executions/{id}/signals/{name}', { params: { path: { id: started.id, name: 'approved' } }, body: { user: 'ada' } });
    const after = await collect(client.events(started.id, { lastEventId: last(before).id }));

    const all = await collect(client.events(started.id));
    expect([...before, ...after].map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(after.length).toBeGreaterThan(0);
    expect(after[after.length - 1].type).toBe('WorkflowExecutionCompleted');
  });

  it('reconnects by itself with Last-Event-ID when the connection drops mid-stream', async () => {
    const started = await start(['y']);
    await client.post('/api/v3/executions/{id}/signals/{name}', { params: { path: { id: started.id, name: 'approved' } }, body: { user: 'ada' } });
    const complete = await collect(client.events(started.id));
    expect(complete.length).toBeGreaterThan(2);

    // A fetch whose first event stream is cut right after its first event, as a dropped connection would be.
    const resumedFrom: (string | null)[] = [];
    const cutting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/events')) return response;
      resumedFrom.push(new Headers(init?.headers).get('last-event-id'));
      return resumedFrom.length === 1 ? new Response(firstEventOnly(response.body!), { status: 200, headers: response.headers }) : response;
    };
    const flaky = createCognitionOsClient({ baseUrl: t.url, apiKey: t.key, fetch: cutting });
    const events = await collect(flaky.events(started.id, { reconnectDelayMs: 10 }));

    expect(events.map((e) => e.id)).toEqual(complete.map((e) => e.id));
    expect(resumedFrom).toEqual([null, complete[0].id]);
  });

  it('throws problem+json answers as CognitionOsError with status and code', async () => {
    const missing = await client.get('/api/v3/workflows/{id}', { params: { path: { id: 'no-such-workflow' } } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CognitionOsError);
    expect(missing).toMatchObject({ status: 404, code: 'WORKFLOW_NOT_FOUND', title: expect.any(String), detail: expect.any(String) });

    const invalid = await client
      .post('/api/v3/workflows', { body: { id: 'broken', version: '1.0.0', name: 'Broken', status: 'draft', steps: [{ id: 'a', type: 'transform', dependsOn: ['b'], timeoutSeconds: 30, params: { output: 1 } }] } })
      .catch((e: unknown) => e as CognitionOsError);
    expect(invalid).toBeInstanceOf(CognitionOsError);
    expect((invalid as CognitionOsError).status).toBe(422);
    expect((invalid as CognitionOsError).errors.length).toBeGreaterThan(0);

    const stranger = createCognitionOsClient({ baseUrl: t.url, apiKey: 'cos_nokey000_not-a-real-key-at-all' });
    await expect(stranger.get('/api/v3/workflows')).rejects.toMatchObject({ name: 'CognitionOsError', status: 401, code: expect.any(String) });
    // The raw openapi-fetch methods throw too, so their `data` is always a 2xx body.
    await expect(client.GET('/api/v3/executions/{id}', { params: { path: { id: '00000000-0000-7000-8000-000000000000' } } })).rejects.toMatchObject({ status: 404 });
    // A stream of an execution that isn't ours is a 404, not retried.
    await expect(collect(client.events('00000000-0000-7000-8000-000000000000'))).rejects.toMatchObject({ status: 404 });
  });

  it('sends an Idempotency-Key on starts: a generated one per call, or the caller’s', async () => {
    const before = sentKeys.length;
    const a = await start(['a']);
    const b = await start(['a']);
    expect(a.id).not.toBe(b.id);
    expect(sentKeys.length).toBe(before + 2);

    const first = await start(['same'], 'my-key-1');
    const again = await start(['same'], 'my-key-1');
    expect(again.id).toBe(first.id);
    expect(sentKeys.length).toBe(before + 2);
    const reused = await start(['other'], 'my-key-1').catch((e: unknown) => e);
    expect(reused).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('walks every page of a list with paginate', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await start([`p${i}`])).id);
    const pages: string[] = [];
    const paging = createCognitionOsClient({
      baseUrl: t.url,
      apiKey: t.key,
      fetch: async (input, init) => {
        pages.push(new URL(input instanceof Request ? input.url : String(input)).searchParams.get('cursor') ?? '');
        return fetch(input, init);
      },
    });
    const listed: string[] = [];
    for await (const execution of paging.paginate('/api/v3/executions', { params: { query: { workflowId: 'greet', limit: 2 } } })) listed.push(execution.id);

    expect(new Set(listed).size).toBe(listed.length);
    for (const id of ids) expect(listed).toContain(id);
    expect(pages.length).toBe(Math.ceil(listed.length / 2) + (listed.length % 2 === 0 ? 1 : 0));
    expect(pages[0]).toBe('');
    expect(pages.slice(1).every((c) => c.length > 0)).toBe(true);
  });
});

const last = <T>(list: T[]): T => list[list.length - 1];

/** The body up to the end of its first SSE event, then closed. */
function firstEventOnly(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let text = '';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) return controller.close();
      text += new TextDecoder().decode(value);
      const end = text.indexOf('\n\n', text.indexOf('data:'));
      if (text.includes('data:') && end >= 0) {
        controller.enqueue(new TextEncoder().encode(text.slice(0, end + 2)));
        controller.close();
        await reader.cancel();
      }
    },
  });
}
