import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { encodeCursor } from '@cognition/platform/pagination/cursor';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Property-based fuzzing over the live OpenAPI document (issue 16, "Fuzzing in the suite"): for every
 * operation of `/docs-json`, fast-check generates requests — bodies built from the request schemas,
 * and the same bodies with one value swapped for something hostile (a NUL, a lone surrogate, 1e400,
 * a 10,000-deep nest, a wrong type, a huge string), arbitrary JSON, malformed text; odd path
 * parameters (`%00`, `../`, over-long), odd query values and forged cursors, odd header bytes and
 * forged `Last-Event-ID`s — with a fixed seed. Every response must be: not a 5xx; a 4xx as
 * application/problem+json with a `code`; a 2xx valid against the document's response schema.
 */

/** Fixed, so a failure reproduces; FUZZ_SEED explores others. */
const SEED = Number(process.env.FUZZ_SEED ?? 16);
/** Requests per operation: ~60 operations × this ≈ 3,000 requests. */
const RUNS_PER_OPERATION = 50;

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}
interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  label: string;
}
interface Violation {
  operation: string;
  request: string;
  problem: string;
}

/**
 * 2xx responses that do not match the document for a reason outside the document's declarations
 * (behaviour, not a schema fix). Keep it short; each one names its issue.
 */
const KNOWN_2XX_MISMATCHES: Record<string, string> = {};

/** Marks a value to be written into the JSON text as-is (numbers JSON.stringify cannot write, deep nests). */
const RAW = (text: string) => `@@RAW${Buffer.from(text).toString('base64url')}@@`;
function serialize(value: unknown): string {
  return JSON.stringify(value).replace(/"@@RAW([A-Za-z0-9_-]*)@@"/g, (_m, b64: string) => Buffer.from(b64, 'base64url').toString());
}

const DEEP = RAW('['.repeat(10_000) + ']'.repeat(10_000));
const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(
    'a\u0000b',
    '\u0000',
    '\ud800',
    'x\udc00y',
    '\ud83d', // half of an emoji
    RAW('1e400'),
    RAW('-1e400'),
    RAW('-0'),
    RAW('123456789012345678901234567890'),
    RAW('1e-400'),
    DEEP,
    RAW('{"a":'.repeat(70) + '1' + '}'.repeat(70)),
    -1,
    0,
    2 ** 31,
    Number.MAX_SAFE_INTEGER,
    1.5,
    true,
    null,
    '',
    [],
    {},
    [null],
    { $ref: '#/x' },
    '${{ 1 / 0 }}',
    '../../etc/passwd',
    'x'.repeat(10_000),
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Values for a path parameter, as they go into the URL (already percent-encoded where needed). */
const hostilePathValue = fc.oneof(
  fc.constantFrom(
    '%00',
    'a%00b',
    '%ED%A0%80',
    '%ED%B0%80',
    '..%2F..%2Fetc',
    '..',
    '%2e%2e',
    '%252e',
    '%zz',
    'x'.repeat(101),
    'null',
    '-1',
    '1e400',
    '%20',
    '%F0%9F%98%80',
    '0',
    '00000000-0000-0000-0000-000000000000',
  ),
  fc.uuid().map((u) => u),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x')) || 'x'),
);

/** Values for a query parameter, raw (percent-encoded where needed). */
const hostileQueryValue = fc.oneof(
  fc.constantFrom('%00', '%ED%A0%80', '', '1e400', '-0', '-1', '0', '999999999999999999999', 'true', 'null', '%zz', 'x'.repeat(2000)),
  fc
    .constantFrom(
      'garbage',
      Buffer.from('{"id":"x"}').toString('base64url'),
      encodeCursor({
        id: 'not-a-uuid',
        version: 'x',
        createdAt: 'x',
        workflowId: '\u0000',
      }),
      encodeCursor({}) + 'x',
      `${encodeCursor({ id: '0' })}.extra`,
    )
    .map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 16 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))),
);

const hostileHeaderValue = fc.constantFrom(
  '',
  'x',
  '\u00ff\u0080',
  'caf\u00e9',
  'a'.repeat(300),
  '"1"',
  'W/"1"',
  '*',
  '0',
  '-1',
  '1e400',
  '99999999999999999999',
  'abc',
  '00000000-0000-7000-8000-000000000000',
  ' spaced ',
);

describe('fuzzing every operation of /docs-json', () => {
  let t: TestApp;
  let doc: Schema;
  let ajv: Ajv;
  const pools: Record<string, string[]> = {};

  beforeAll(async () => {
    t = await startTestApp('fuzz', {
      AGENT_WORKER_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      HTTP_STEP_ALLOWED_HOSTS: 'fuzz.invalid',
    });
    const api = apiClient(t.url, t.key);
    doc = (await api('GET', '/docs-json', { key: null })).body;
    ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({
      $id: 'doc.json',
      components: { schemas: toJsonSchema(doc.components.schemas) },
    });

    // Things to point path parameters at, so most requests reach a handler with a real resource.
    await activeWorkflow(api, {
      id: 'fuzz',
      outputs: { n: '${{ steps.a.output }}' },
      steps: [
        {
          id: 'a',
          type: 'transform',
          params: {
            output: { text: '${{ inputs.text }}', list: [1, 'two', null] },
          },
        },
        {
          id: 'b',
          type: 'transform',
          dependsOn: ['a'],
          params: { output: 'done' },
        },
      ],
    });
    const execution = (await start(api, 'fuzz', { text: 'hello' })).body.id as string;
    await waitForExecution(api, execution).catch(() => undefined);
    const made = async (path: string, body: unknown): Promise<string> => {
      const res = await api('POST', path, { body });
      if (res.status >= 300) throw new Error(`fixture ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    };
    const definition = await made('/api/v3/agent-definitions', { name: 'fuzz', role: 'summarizer' });
    const agent = await made('/api/v3/agents', { definitionId: definition });
    const task = await made('/api/v3/tasks', { name: 'fuzz', input: 'a string input' });
    await made('/api/v3/tasks', { name: 'fuzz 2', input: [1, 2] });
    const memory = await made('/api/v3/memories', { content: 'fuzz memory', tags: ['fuzz'] });
    await api('PATCH', `/api/v3/memories/${memory}`, { body: { content: 'fuzz memory, revised' } });
    const collection = await made('/api/v3/memory-collections', { name: 'fuzz' });
    await api('PUT', `/api/v3/memory-collections/${collection}/memories/${memory}`);
    const policy = await made('/api/v3/memory-policies', { name: 'fuzz', namespace: 'default', archiveAfterDays: 90 });
    const traces = (await api('GET', '/api/v3/traces?limit=5')).body.items as {
      id: string;
    }[];
    const page = (await api('GET', '/api/v3/tasks?limit=1')).body.nextCursor as string | null;
    Object.assign(pools, {
      workflows: ['fuzz'],
      executions: [execution],
      tasks: [task],
      'agent-definitions': [definition],
      agents: [agent],
      traces: traces.map((s) => s.id).slice(0, 3),
      memories: [memory],
      'memory-collections': [collection],
      'memory-policies': [policy],
      version: ['1.0.0'],
      memoryId: [memory],
      name: ['approve'],
      permission: ['http'],
      cursor: [page!],
    });
  }, 120_000);
  afterAll(() => t?.close());

  it('answers thousands of generated requests with no 5xx, problem+json 4xx and documented 2xx', async () => {
    const operations: Operation[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
      for (const [method, op] of Object.entries(item)) operations.push({ method: method.toUpperCase(), path, op });
    }
    // Deletions last, so the resources the other operations point at live until then.
    operations.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    expect(operations.length).toBeGreaterThanOrEqual(55);

    const violations: Violation[] = [];
    const statuses: Record<string, number> = {};
    const byOperation: Record<string, Record<number, number>> = {};
    let sent = 0;
    for (const [i, operation] of operations.entries()) {
      const requests = fc.sample(requestArbitrary(operation), {
        seed: SEED + i,
        numRuns: RUNS_PER_OPERATION,
      });
      for (const request of requests) {
        const found = await send(operation, request);
        sent++;
        const bucket = `${String(found.status)[0]}xx`;
        statuses[bucket] = (statuses[bucket] ?? 0) + 1;
        const counts = (byOperation[`${operation.method} ${operation.path}`] ??= {});
        counts[found.status] = (counts[found.status] ?? 0) + 1;
        for (const problem of found.problems)
          violations.push({
            operation: `${operation.method} ${operation.path}`,
            request: request.label,
            problem,
          });
      }
    }
    // Routes and methods the document does not have: 404 problems, whatever the path holds.
    const strays = fc.sample(
      fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        path: fc.oneof(
          fc.constantFrom(
            '/api/v3',
            '/api/v3/',
            '/api/v4/tasks',
            '/api/v3/tasks/x/y/z',
            '/api/v3/executions/x/events/y',
            '/docs-json/x',
            '/%2e%2e/%2e%2e/etc/passwd',
            '/api/v3/../../x',
            '//api//v3//tasks',
          ),
          fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { minLength: 1, maxLength: 4 }).map((parts) => `/api/v3/${parts.join('/')}`),
        ),
      }),
      { seed: SEED, numRuns: 100 },
    );
    for (const { method, path } of strays) {
      const operation: Operation = { method, path, op: { responses: {} } };
      const found = await send(operation, { method, path, headers: {}, label: `${method} ${path}` });
      sent++;
      const bucket = `${String(found.status)[0]}xx`;
      statuses[bucket] = (statuses[bucket] ?? 0) + 1;
      for (const problem of found.problems) violations.push({ operation: 'unknown route', request: `${method} ${path}`, problem });
    }
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify({ sent, statuses, byOperation }, null, 1));
    // The process is fine after all of it.
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    // One example per operation and kind of problem.
    const kinds = new Map<string, { count: number; example: Violation }>();
    for (const v of violations) {
      const kind = `${v.operation}: ${v.problem.replace(/ in .*$/s, '').slice(0, 160)}`;
      const entry = kinds.get(kind) ?? { count: 0, example: v };
      entry.count++;
      kinds.set(kind, entry);
    }
    const report = [...kinds].slice(0, 60).map(([kind, { count, example }]) => `${count}× ${kind}\n    e.g. ${example.request}\n    → ${example.problem.slice(0, 400)}`);
    expect({ sent, statuses, violations: violations.length, report }).toEqual({
      sent,
      statuses,
      violations: 0,
      report: [],
    });
    expect(sent).toBeGreaterThanOrEqual(2500);
  }, 300_000);

  function requestArbitrary(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const params = (operation.op.parameters ?? []) as Schema[];
    const segments = operation.path.split('/');
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    // Header parameters are declared twice (issue 11); one of each name, lowercased.
    const headerNames = [...new Set(params.filter((p) => p.in === 'header').map((p) => String(p.name).toLowerCase()))];
    const bodySchema = operation.op.requestBody?.content?.['application/json']?.schema as Schema | undefined;

    const pathArb = fc.tuple(
      ...pathParams.map((p) => {
        const name = String(p.name);
        const resource = name === 'id' ? segments[segments.indexOf(`{${name}}`) - 1] : name;
        const real = pools[resource] ?? [];
        return real.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: hostilePathValue }) : hostilePathValue;
      }),
    );
    const queryArb = fc.tuple(
      fc.tuple(
        ...queryParams.map((p) => {
          const valid = valueArbitrary(p.schema ?? {}, 0).map((v) => encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v)));
          // A cursor is ours (from a real page) or forged; other values mostly follow the schema.
          if (p.name === 'cursor') return fc.option(fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...pools.cursor) }, { weight: 1, arbitrary: hostileQueryValue }), { freq: 2 });
          return fc.option(fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostileQueryValue }), { freq: 2 });
        }),
      ),
      // An unknown or repeated parameter now and then (fc.option's freq is the odds of *no* value: 1 in freq).
      fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('unknown=1', 'limit=5&limit=6', '%00=x', 'a[b]=1') }),
    );
    const headerArb = fc.tuple(...headerNames.map(() => fc.option(hostileHeaderValue, { freq: 2 })));
    const bodyArb: fc.Arbitrary<string | undefined> =
      operation.method === 'GET'
        ? fc.constant(undefined)
        : bodySchema
          ? bodyArbitrary(bodySchema)
          : fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('{}', '{"x":1}', 'null') });

    const contentTypeArb = fc.oneof(
      { weight: 12, arbitrary: fc.constant('application/json') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'application/merge-patch+json',
          'application/jsonx',
          'x',
        ),
      },
    );
    return fc.tuple(pathArb, queryArb, headerArb, bodyArb, contentTypeArb).map(([pathValues, [queryValues, extra], headerValues, body, contentType]) => {
      let path = operation.path;
      pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, pathValues[i])));
      const query = queryParams.flatMap((p, i) => (queryValues[i] === null ? [] : [`${p.name}=${queryValues[i]}`]));
      if (extra) query.push(extra);
      if (query.length) path += `?${query.join('&')}`;
      const headers: Record<string, string> = {};
      headerNames.forEach((name, i) => {
        if (headerValues[i] !== null) headers[name] = headerValues[i] as string;
      });
      if (body !== undefined) headers['content-type'] = contentType;
      const label = `${operation.method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 120)} ${body === undefined ? '' : body.slice(0, 300)}`;
      return { method: operation.method, path, headers, body, label };
    });
  }

  /** A body: valid-ish from the schema, the same with one hostile value, arbitrary JSON, or hostile text. */
  function bodyArbitrary(schema: Schema): fc.Arbitrary<string | undefined> {
    const valid = valueArbitrary(schema, 0);
    const mutated = fc.tuple(valid, fc.nat(), hostileValue, fc.boolean()).map(([value, at, hostile, asKey]) => serialize(mutate(value, at, hostile, asKey)));
    return fc.oneof(
      { weight: 4, arbitrary: valid.map(serialize) },
      { weight: 5, arbitrary: mutated },
      {
        weight: 1,
        arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom('{', '', '[1,]', '{"a":1}{"b":2}', '"\\ud800"', '\u0000', serialize(DEEP), '{"__proto__":{"x":1}}', 'nul', '1e400', JSON.stringify({ big: 'y'.repeat(900_000) })),
      },
    );
  }

  /** A value of a schema, valid-ish: right types, required fields, in-range numbers; anything for "any JSON". */
  function valueArbitrary(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    if (schema.$ref) return valueArbitrary(resolve(schema.$ref), depth + 1);
    if (depth > 6) return fc.constant(null);
    if (schema.allOf?.length) return valueArbitrary({ ...schema, ...schema.allOf[0], allOf: undefined }, depth + 1);
    const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
    if (choices?.length) return fc.oneof(...choices.map((c) => valueArbitrary(c, depth + 1)));
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    const examples = schema.example !== undefined ? [fc.constant(schema.example as unknown)] : [];
    switch (schema.type) {
      case 'string': {
        if (schema.format === 'uuid') return fc.uuid();
        if (schema.format === 'date-time')
          return fc
            .date({
              min: new Date(2000, 0, 1),
              max: new Date(2100, 0, 1),
              noInvalidDate: true,
            })
            .map((d) => d.toISOString());
        const text =
          typeof schema.pattern === 'string' ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ minLength: schema.minLength ?? 1, maxLength: Math.min(schema.maxLength ?? 24, 24) });
        return examples.length ? fc.oneof({ weight: 3, arbitrary: examples[0] }, { weight: 1, arbitrary: text }) : text;
      }
      case 'integer':
      case 'number': {
        const min = typeof schema.minimum === 'number' ? schema.minimum : -1000;
        const max = typeof schema.maximum === 'number' ? schema.maximum : 1000;
        return fc.oneof(...examples, fc.integer({ min: Math.ceil(min), max: Math.floor(max) }));
      }
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(valueArbitrary(schema.items ?? {}, depth + 1), {
          minLength: Math.min(schema.minItems ?? 0, 2),
          maxLength: 3,
        });
      case 'object': {
        const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
        if (!properties.length) return fc.oneof(...examples, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }));
        const required = new Set<string>(schema.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of properties) record[name] = valueArbitrary(property, depth + 1);
        return fc.record(record, {
          requiredKeys: properties.map(([n]) => n).filter((n) => required.has(n) || n === 'id' || n === 'name'),
        });
      }
      default:
        return fc.oneof(...examples, fc.jsonValue({ maxDepth: 2 }));
    }
  }

  function resolve(ref: string): Schema {
    return doc.components.schemas[ref.replace('#/components/schemas/', '')] as Schema;
  }

  /** Sends a request and lists what is wrong with its answer. */
  async function send(operation: Operation, request: FuzzRequest): Promise<{ status: number; problems: string[] }> {
    // An event stream, by what the document says it answers (GET /events is a JSON list, GET /executions/{id}/events a stream).
    const sse = operation.op.responses?.['200']?.content?.['text/event-stream'] !== undefined;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    let res: Response;
    try {
      res = await fetch(`${t.url}${request.path}`, {
        method: request.method,
        headers: { authorization: `Bearer ${t.key}`, ...request.headers },
        body: request.body,
        signal: abort.signal,
      });
    } catch (error) {
      clearTimeout(timer);
      return {
        status: 0,
        problems: [`no answer: ${(error as Error).message}`],
      };
    }
    const problems: string[] = [];
    const type = res.headers.get('content-type') ?? '';
    if (sse && res.status === 200) {
      abort.abort(); // the stream's body is not checked
      clearTimeout(timer);
      if (!type.startsWith('text/event-stream')) problems.push(`200 with content-type ${type}`);
      return { status: res.status, problems };
    }
    const text = await res.text();
    clearTimeout(timer);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (res.status >= 500) problems.push(`${res.status}: ${text.slice(0, 300)}`);
    else if (res.status >= 400) {
      if (!type.startsWith('application/problem+json')) problems.push(`${res.status} with content-type ${type}`);
      if (typeof (body as { code?: unknown })?.code !== 'string') problems.push(`${res.status} without a code: ${text.slice(0, 200)}`);
    } else if (res.status >= 200 && res.status < 300) {
      const known = KNOWN_2XX_MISMATCHES[`${operation.method} ${operation.path}`];
      const validate = responseValidator(operation, res.status);
      if (validate === 'undocumented') problems.push(`${res.status} is not a documented answer`);
      else if (validate && !validate(body) && !known) {
        problems.push(`${res.status} body does not match the document: ${ajv.errorsText(validate.errors?.slice(0, 3))} in ${text.slice(0, 300)}`);
      }
    }
    return { status: res.status, problems };
  }

  const validators = new Map<string, ValidateFunction | 'undocumented' | null>();
  function responseValidator(operation: Operation, status: number): ValidateFunction | 'undocumented' | null {
    const key = `${operation.method} ${operation.path} ${status}`;
    if (!validators.has(key)) {
      const response = operation.op.responses?.[String(status)] as Schema | undefined;
      const schema = response?.content?.['application/json']?.schema as Schema | undefined;
      validators.set(key, !response ? 'undocumented' : schema ? ajv.compile(toJsonSchema(schema)) : null);
    }
    return validators.get(key)!;
  }
});

/** A copy of `value` with the value at the `at`-th position (depth first) replaced by `hostile`, or a key added with a hostile name. */
function mutate(value: unknown, at: number, hostile: unknown, asKey: boolean): unknown {
  const root = { v: structuredClone(value) } as Record<string, unknown>;
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) node.forEach((child, i) => (slots.push([node, i]), stack.push(child)));
    else if (node && typeof node === 'object') Object.entries(node).forEach(([k, child]) => (slots.push([node as Record<string, unknown>, k]), stack.push(child)));
  }
  const [parent, key] = slots[at % slots.length];
  const target = (parent as Record<string | number, unknown>)[key as string];
  if (asKey && target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[typeof hostile === 'string' ? hostile : 'k\u0000'] = 1;
  else (parent as Record<string | number, unknown>)[key as string] = hostile;
  return root.v;
}

/** OpenAPI 3.0 schema objects → JSON Schema for Ajv: `nullable` adds null to the schema's own `type` (OpenAPI 3.0.3), refs point into doc.json. */
function toJsonSchema(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/', 'doc.json#/components/');
    else if (key === 'example' || key === 'nullable') continue;
    else out[key] = toJsonSchema(value);
  }
  const s = schema as Schema;
  if (s.nullable === true && typeof s.type === 'string') {
    out.type = [s.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}
