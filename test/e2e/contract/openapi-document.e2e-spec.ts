import { createParser, EventSourceMessage } from 'eventsource-parser';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { activeWorkflow, start, waitForExecution } from '../../support/engine-helpers';
import { ContractValidator, contractOf } from '../../support/contract-validator';
import { apiClient, ContractViolationError } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';

/**
 * The OpenAPI document as a product (issue 11, "An exact document" and "Contract tests"): its
 * operations are named, summarised, tagged and secured as a generated client needs, and the check
 * every e2e response goes through (test/support/contract-validator.ts) rejects what the document
 * does not describe.
 */

type Schema = Record<string, any>;
const P = '/api/v3';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('the OpenAPI document', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let doc: Schema;
  let contract: ContractValidator;
  const operations: Array<{ method: string; path: string; op: Schema }> = [];

  beforeAll(async () => {
    t = await startTestApp('contract', { AGENT_WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
    const res = await fetch(`${t.url}/docs-json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Schema;
    contract = await contractOf(t.url);
    for (const [path, item] of Object.entries<Schema>(doc.paths)) for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('operations', () => {
    it('each has a unique camelCase operationId and a summary', () => {
      expect(operations.length).toBeGreaterThanOrEqual(60);
      const ids = operations.map((o) => o.op.operationId);
      expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][a-zA-Z0-9]*$/.test(id))).toEqual([]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(operations.filter((o) => !o.op.summary?.trim()).map((o) => `${o.method} ${o.path}`)).toEqual([]);
      const id = (method: string, path: string) => doc.paths[path][method].operationId;
      expect(id('get', `${P}/executions`)).toBe('listExecutions');
      expect(id('post', `${P}/workflows/{id}/executions`)).toBe('startExecution');
      expect(id('get', `${P}/workflows/{id}`)).toBe('getWorkflow');
      expect(id('get', `${P}/executions/{id}/events`)).toBe('streamExecutionEvents');
    });

    it('each is tagged with a top-level tag that has a description, and no top-level tag is unused', () => {
      const declared = new Map<string, string>((doc.tags ?? []).map((tag: Schema) => [tag.name, tag.description]));
      expect([...declared.values()].filter((d) => !d?.trim())).toEqual([]);
      const used = new Set(operations.flatMap((o) => o.op.tags ?? []));
      expect(operations.filter((o) => !o.op.tags?.length).map((o) => `${o.method} ${o.path}`)).toEqual([]);
      expect([...used].filter((tag) => !declared.has(tag))).toEqual([]);
      expect([...declared.keys()].filter((tag) => !used.has(tag))).toEqual([]);
    });

    it('needs the API key (an http bearer scheme, not a JWT) everywhere but health and metrics', () => {
      expect(doc.components.securitySchemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
      expect(doc.components.securitySchemes.bearer).not.toHaveProperty('bearerFormat');
      expect(doc.security).toEqual([{ bearer: [] }]);
      const publicOps = operations.filter((o) => !o.path.startsWith(P));
      expect(publicOps.map((o) => `${o.method} ${o.path}`).sort()).toEqual(['get /health/live', 'get /health/ready', 'get /metrics']);
      for (const o of publicOps) expect(o.op.security).toEqual([]);
      for (const o of operations.filter((x) => x.path.startsWith(P))) expect(o.op.security ?? doc.security).toEqual([{ bearer: [] }]);
    });

    it('types health and metrics', () => {
      const live = doc.paths['/health/live'].get.responses['200'].content['application/json'].schema;
      expect(contract.checkSchema(live.$ref.split('/').pop(), { status: 'ok' })).toEqual([]);
      expect(contract.checkSchema(live.$ref.split('/').pop(), {})).not.toEqual([]);
      expect(doc.paths['/health/ready'].get.responses['503'].content).toHaveProperty(['application/problem+json']);
      expect(doc.paths['/metrics'].get.responses['200'].content['text/plain'].schema).toEqual({ type: 'string' });
    });

    it('declares each header once, in its canonical case, optional where the API treats it as optional', () => {
      const headers = operations.flatMap((o) => (o.op.parameters ?? []).filter((p: Schema) => p.in === 'header').map((p: Schema) => ({ where: `${o.method} ${o.path}`, ...p })));
      for (const o of operations) {
        const names = (o.op.parameters ?? []).filter((p: Schema) => p.in === 'header').map((p: Schema) => p.name.toLowerCase());
        expect(new Set(names).size).toBe(names.length);
      }
      expect([...new Set(headers.map((h) => h.name))].sort()).toEqual(['Idempotency-Key', 'If-Match', 'Last-Event-ID']);
      expect(headers.filter((h) => h.required)).toEqual([]);
      const where = (name: string) => headers.filter((h) => h.name === name).map((h) => h.where);
      expect(where('Idempotency-Key').sort()).toEqual([`post ${P}/memories`, `post ${P}/tasks`, `post ${P}/workflows/{id}/executions`]);
      expect(where('If-Match')).toHaveLength(3);
    });

    it('documents every error answer as application/problem+json, and only JSON-free 204s', () => {
      for (const o of operations) {
        for (const [status, response] of Object.entries<Schema>(o.op.responses)) {
          if (Number(status) >= 400) {
            expect({ at: `${o.method} ${o.path} ${status}`, types: Object.keys(response.content ?? {}) }).toEqual({ at: `${o.method} ${o.path} ${status}`, types: ['application/problem+json'] });
          }
          if (status === '204') expect(response.content).toBeUndefined();
        }
      }
      for (const o of operations.filter((x) => x.path.startsWith(P))) expect(Object.keys(o.op.responses)).toEqual(expect.arrayContaining(['401', '429']));
    });

    it('types the event stream as text/event-stream with the SPEC §7 envelope', () => {
      const events = doc.paths[`${P}/executions/{id}/events`].get;
      const media = events.responses['200'].content;
      expect(Object.keys(media)).toEqual(['text/event-stream']);
      const event = doc.components.schemas[media['text/event-stream'].schema.$ref.split('/').pop()];
      expect(Object.keys(event.properties)).toEqual(['id', 'event', 'data']);
      const envelope = doc.components.schemas.ExecutionEventEnvelopeResponseDto;
      expect(envelope.required).toEqual(expect.arrayContaining(['id', 'position', 'tenantId', 'type', 'aggregateType', 'aggregateId', 'payload', 'occurredAt', 'correlationId']));
    });
  });

  describe('schemas', () => {
    const schema = (name: string) => doc.components.schemas[name];

    it('leave any-JSON fields untyped, so a string, an array, a number or null is valid', () => {
      const anyJsonFields: Array<[string, string]> = [
        ['ExecutionResponseDto', 'outputs'],
        ['StepExecutionResponseDto', 'output'],
        ['TaskResponseDto', 'input'],
        ['TaskResponseDto', 'output'],
        ['TaskErrorResponseDto', 'details'],
        ['CreateTaskRequestDto', 'input'],
        ['TraceTreeResponseDto', 'inputs'],
        ['TraceTreeResponseDto', 'outputs'],
        ['TraceNodeResponseDto', 'inputs'],
        ['TraceSpanListItemResponseDto', 'outputs'],
        ['ExecutionEventEnvelopeResponseDto', 'payload'],
      ];
      for (const [name, field] of anyJsonFields) {
        const property = schema(name).properties[field];
        expect({ at: `${name}.${field}`, type: property.type }).toEqual({ at: `${name}.${field}`, type: undefined });
        const validate = (value: unknown) => contract.checkSchema(name, { ...sample(name), [field]: value });
        for (const value of ['text', [1, 'a'], 42, null, { a: 1 }]) expect({ at: `${name}.${field}`, value, problems: validate(value) }).toEqual({ at: `${name}.${field}`, value, problems: [] });
      }
    });

    it('accept null where a reference may be null, and type agent descriptions as strings', () => {
      for (const [name, field] of [
        ['WorkflowDefinitionRequestDto', 'schedule'],
        ['CreateWorkflowRequestDto', 'schedule'],
        ['WorkflowResponseDto', 'schedule'],
        ['ModelConfigRequestDto', 'fallback'],
        ['ModelConfigResponseDto', 'fallback'],
        ['ExecutionResponseDto', 'error'],
        ['TaskResponseDto', 'error'],
      ]) {
        const property = schema(name).properties[field];
        expect({ at: `${name}.${field}`, allOf: property.allOf, nullableObject: property.nullable === true && property.type === 'object' }).toEqual({ at: `${name}.${field}`, allOf: undefined, nullableObject: false });
        expect(contract.checkSchema(name, { ...sample(name), [field]: null })).toEqual([]);
      }
      expect(schema('RegisterAgentDefinitionRequestDto').properties.description.type).toBe('string');
      expect(schema('UpdateAgentDefinitionRequestDto').properties.description.type).toBe('string');
    });
  });

  describe('the contract check of the e2e client', () => {
    const execution = {
      id: '01890000-0000-7000-8000-000000000000',
      workflowId: 'w',
      workflowVersion: '1.0.0',
      status: 'completed',
      inputs: {},
      outputs: { a: 1 },
      error: null,
      parentExecutionId: null,
      idempotencyKey: null,
      triggeredBy: 'api',
      startedAt: null,
      completedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const get = (body: unknown, status = 200, contentType = 'application/json; charset=utf-8') => contract.check({ method: 'GET', path: `${P}/executions/x?y=1`, status, contentType, body });

    it('passes a body the document describes', () => {
      expect(get(execution)).toEqual([]);
      expect(get({ type: 't', title: 'Not Found', status: 404, detail: 'd', code: 'EXECUTION_NOT_FOUND' }, 404, 'application/problem+json')).toEqual([]);
    });

    it('fails a missing field, a wrong type, a value outside an enum and an undeclared field', () => {
      const { workflowId: _omitted, ...missing } = execution;
      expect(get(missing).join()).toContain("must have required property 'workflowId'");
      expect(get({ ...execution, workflowVersion: 1 }).join()).toContain('/workflowVersion must be string');
      expect(get({ ...execution, status: 'exploded' }).join()).toContain('/status must be equal to one of the allowed values');
      expect(get({ ...execution, secret: 'x' }).join()).toContain('must NOT have additional properties');
      expect(get({ ...execution, error: { code: 'X' } }).join()).toContain('/error');
    });

    it('fails an undocumented status, a wrong media type, and a problem that is not a problem', () => {
      expect(get(execution, 418).join()).toContain('status 418 is not documented');
      expect(get(execution, 200, 'text/html').join()).toContain('media type "text/html" is not documented');
      expect(get({ type: 't', title: 'Not Found', status: 404, detail: 'd', code: 'X' }, 404, 'application/json').join()).toContain('media type "application/json" is not documented');
      expect(get({ message: 'not found' }, 404, 'application/problem+json').join()).toContain("must have required property 'code'");
    });

    it('matches literal segments before parameters, and leaves routes outside the document alone', () => {
      expect(contract.operationFor('POST', `${P}/memories/search`)?.op.operationId).toBe('searchMemories');
      expect(contract.operationFor('GET', `${P}/memories/search`)?.op.operationId).toBe('getMemory');
      expect(contract.check({ method: 'GET', path: '/nowhere', status: 404, contentType: 'text/plain', body: 'x' })).toEqual([]);
    });

    it('makes the client throw on a response that violates the document', async () => {
      // A stand-in server with our document whose answers drift from it.
      const server = createServer((req, res) => {
        if (req.url === '/docs-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        if (req.url === '/health/live') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'fine' }));
        if (req.url === '/health/ready') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', info: {}, error: {}, details: {} }));
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"boom":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const drifted = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, t.key);
        expect((await drifted('GET', '/health/ready')).status).toBe(200);
        const wrongBody = await drifted('GET', '/health/live').catch((e: unknown) => e);
        expect(wrongBody).toBeInstanceOf(ContractViolationError);
        expect((wrongBody as ContractViolationError).problems.join()).toContain('/status must be equal to one of the allowed values');
        const undocumented = await drifted('GET', `${P}/executions/x`).catch((e: unknown) => e);
        expect((undocumented as ContractViolationError).problems.join()).toContain('status 500 is not documented');
        // A test may opt out, saying why; the body is then returned as it came.
        expect((await drifted('GET', '/health/live', { contract: false })).body).toEqual({ status: 'fine' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('live responses', () => {
    it('health, readiness and metrics answer as documented, without a key', async () => {
      expect((await api('GET', '/health/live', { key: null })).body).toEqual({ status: 'ok' });
      expect((await api('GET', '/health/ready', { key: null })).body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
      const metrics = await api('GET', '/metrics', { key: null });
      expect(metrics.status).toBe(200);
      expect(typeof metrics.body).toBe('string');
    });

    it('optional headers are optional: a start without Idempotency-Key, an update without If-Match', async () => {
      await activeWorkflow(api, { id: 'contract-headers', steps: [{ id: 'a', type: 'transform', params: { output: 'text' } }] });
      const started = await start(api, 'contract-headers');
      expect(started.status).toBe(202);
      const done = await waitForExecution(api, started.body.id);
      expect(done).toMatchObject({ status: 'completed', outputs: { a: 'text' } });
      const policy = await api('POST', `${P}/memory-policies`, { body: { name: 'p', namespace: 'contract' } });
      expect(policy.status).toBe(201);
      expect((await api('PUT', `${P}/memory-policies/${policy.body.id}`, { body: { name: 'p', namespace: 'contract', maxMemories: 10 } })).status).toBe(200);
    });

    it('streams the SPEC §7 envelope in each event, valid against the document', async () => {
      await activeWorkflow(api, { id: 'contract-sse', steps: [{ id: 'a', type: 'transform', params: { output: [1, 2] } }] });
      const started = await start(api, 'contract-sse');
      await waitForExecution(api, started.body.id);
      const res = await fetch(`${t.url}${P}/executions/${started.body.id}/events`, { headers: { authorization: `Bearer ${t.key}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      parser.feed(await res.text()); // the stream closes after the terminal event
      expect(events.map((e) => e.event)).toContain('WorkflowExecutionCompleted');
      for (const e of events) {
        const data = JSON.parse(e.data);
        expect(contract.checkSchema('ExecutionEventEnvelopeResponseDto', data)).toEqual([]);
        expect(contract.checkSchema('ExecutionStreamEventResponseDto', { id: e.id, event: e.event, data })).toEqual([]);
        expect(data).toMatchObject({ id: e.id, type: e.event, tenantId: t.tenantId, aggregateType: 'WorkflowExecution', aggregateId: started.body.id });
        expect(data).toHaveProperty('correlationId');
      }
    });

    it('answers bad input with a documented 4xx problem carrying a code', async () => {
      const cases = [
        await api('POST', `${P}/workflows`, { rawBody: '{"id":' }),
        await api('POST', `${P}/workflows`, { rawBody: 'x', headers: { 'content-type': 'text/plain' } }),
        await api('POST', `${P}/workflows`, { body: { id: 'x', version: '1.0.0', name: 'x', steps: [] } }),
        await api('GET', `${P}/executions?limit=0`),
        await api('GET', `${P}/executions`, { key: 'cos_nope_nope' }),
        await api('POST', `${P}/executions/01890000-0000-7000-8000-000000000000/cancel`),
      ];
      expect(cases.map((c) => c.status)).toEqual([400, 415, 422, 422, 401, 404]);
      for (const c of cases) {
        expect(c.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(typeof c.body.code).toBe('string');
      }
    });
  });

  /** A minimal valid instance of a schema (required properties), for property-level checks. */
  function sample(name: string): Schema {
    const samples: Record<string, Schema> = {
      ExecutionResponseDto: {
        id: 'e',
        workflowId: 'w',
        workflowVersion: '1.0.0',
        status: 'completed',
        inputs: {},
        outputs: null,
        error: null,
        parentExecutionId: null,
        idempotencyKey: null,
        triggeredBy: 'api',
        startedAt: null,
        completedAt: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
      StepExecutionResponseDto: {
        id: 's',
        stepId: 'a',
        itemIndex: null,
        type: 'transform',
        status: 'completed',
        attempt: 1,
        output: null,
        error: null,
        skipReason: null,
        agentId: null,
        taskId: null,
        availableAt: null,
        startedAt: null,
        completedAt: null,
      },
      TaskErrorResponseDto: { code: 'X', message: 'm' },
      CreateTaskRequestDto: { name: 't' },
      ExecutionEventEnvelopeResponseDto: {
        id: '01890000-0000-7000-8000-000000000000',
        position: '1',
        tenantId: '01890000-0000-7000-8000-000000000000',
        type: 'T',
        aggregateType: 'WorkflowExecution',
        aggregateId: 'e',
        payload: null,
        occurredAt: '2026-01-01T00:00:00.000Z',
        correlationId: null,
        executionId: 'e',
      },
      WorkflowDefinitionRequestDto: { name: 'n', steps: [{ id: 'a', type: 'transform', params: { output: 1 } }] },
      ModelConfigRequestDto: {},
      ModelConfigResponseDto: { provider: 'echo', model: 'echo', temperature: 0.7, maxTokens: 2000, topP: 1 },
    };
    samples.CreateWorkflowRequestDto = { ...samples.WorkflowDefinitionRequestDto, id: 'w', version: '1.0.0' };
    samples.WorkflowResponseDto = {
      id: 'w',
      version: '1.0.0',
      name: 'n',
      description: null,
      status: 'draft',
      steps: [],
      tags: [],
      inputSchema: null,
      outputs: null,
      createdBy: null,
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const task = Object.fromEntries((doc.components.schemas.TaskResponseDto.required as string[]).map((k) => [k, null]));
    samples.TaskResponseDto = {
      ...task,
      id: '01890000-0000-7000-8000-000000000000',
      name: 't',
      priority: 'medium',
      requiredCapabilities: [],
      dependencies: [],
      status: 'pending',
      excludedAgentIds: [],
      attempt: 1,
      maxAttempts: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 1,
    };
    const span = {
      id: 's',
      type: 'workflow',
      entityId: 'e',
      parentId: null,
      name: 'n',
      status: 'completed',
      inputs: null,
      outputs: null,
      error: null,
      metadata: {},
      startedAt: null,
      completedAt: null,
      durationMs: null,
    };
    samples.TraceNodeResponseDto = { ...span, children: [] };
    samples.TraceSpanListItemResponseDto = { ...span, rootId: 's' };
    samples.TraceTreeResponseDto = { ...span, children: [], totals: { tokensIn: 0, tokensOut: 0, costUsd: 0, modelCalls: 0, toolCalls: 0, durationMs: null } };
    const found = samples[name];
    if (!found) throw new Error(`no sample of ${name}`);
    return found;
  }
});
