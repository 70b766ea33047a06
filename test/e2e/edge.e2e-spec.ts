import { connect } from 'node:net';
import { encodeCursor } from '@cognition/platform/pagination/cursor';
import { apiClient, ApiResponse } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The strict edge (issue 16, DESIGN.md "Limits and the edge"): what the core cannot store or process
 * is refused before any handler runs, and every framework-level error is problem+json with a code.
 */
describe('the edge', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('edge', { AGENT_WORKER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
  });
  afterAll(() => t?.close());

  const expectProblem = (res: ApiResponse, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.stringMatching(/^https:\/\//), title: expect.any(String), status, detail: expect.any(String) });
  };
  const raw = (method: string, path: string, body: string, contentType = 'application/json') => api(method, path, { rawBody: body, headers: { 'content-type': contentType } });

  const workflow = (url: string) => ({
    workflowId: 'edge',
    version: '1.0.0',
    name: 'edge',
    steps: [
      { id: 'a', type: 'transform', params: { value: 1 } },
      { id: 'b', type: 'transform', params: { value: 2 } },
      { id: 'c', type: 'http_request', params: { url, method: 'GET' } },
    ],
  });

  describe('bad strings in JSON bodies', () => {
    it('refuses a NUL in a nested field with 400 INVALID_STRING naming its path', async () => {
      const res = await api('POST', '/api/v3/workflows', { body: workflow('http://example.com/\u0000') });
      expectProblem(res, 400, 'INVALID_STRING');
      expect(res.body.errors).toEqual([{ path: 'steps[2].params.url', code: 'INVALID_STRING', message: 'contains a NUL character (U+0000)' }]);
      expect(res.body.detail).toBe('steps[2].params.url contains a NUL character (U+0000), which cannot be stored');
    });

    it('refuses a lone surrogate in an object key, naming the key', async () => {
      const res = await raw('POST', '/api/v3/tasks', '{"name":"x","input":{"ok":1,"bad\\ud800key":2}}');
      expectProblem(res, 400, 'INVALID_STRING');
      expect(res.body.errors).toEqual([{ path: 'input["bad\\ud800key"]', code: 'INVALID_STRING', message: 'the key contains a lone surrogate (U+D800)' }]);
      const low = await raw('POST', '/api/v3/tasks', '{"name":"\\udc00 alone"}');
      expectProblem(low, 400, 'INVALID_STRING');
      expect(low.body.errors[0].path).toBe('name');
    });

    it('accepts a proper surrogate pair, and NUL written out as text', async () => {
      const res = await raw('POST', '/api/v3/tasks', '{"name":"\\ud83d\\ude00 \\\\u0000"}');
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('😀 \\u0000');
    });

    it('refuses a body that is not UTF-8 as MALFORMED_JSON', async () => {
      const res = await fetch(`${t.url}/api/v3/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code).toBe('MALFORMED_JSON');
    });
  });

  describe('deep nesting', () => {
    it('refuses JSON nested 10,000 deep with 400 JSON_TOO_DEEP, and the process is fine', async () => {
      for (const body of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), '{"name":"x","input":' + '['.repeat(10_000)]) {
        for (const path of ['/api/v3/tasks', '/api/v3/workflows', '/api/v3/memories/search']) expectProblem(await raw('POST', path, body), 400, 'JSON_TOO_DEEP');
      }
      expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
      expect((await api('GET', '/api/v3/tasks')).status).toBe(200);
    });

    it('takes JSON_MAX_DEPTH (64) levels and refuses 65; brackets inside strings do not count', async () => {
      const nested = (levels: number) => '{"name":"x","input":' + '['.repeat(levels - 1) + ']'.repeat(levels - 1) + '}';
      expectProblem(await raw('POST', '/api/v3/tasks', nested(65)), 400, 'JSON_TOO_DEEP');
      expect((await raw('POST', '/api/v3/tasks', nested(64))).status).toBe(201);
      expect((await api('POST', '/api/v3/tasks', { body: { name: '[['.repeat(50), input: { s: '{{{{\\"[['.repeat(100) } } })).status).toBe(201);
    });
  });

  describe('numbers', () => {
    it('refuses a number beyond a double (1e400) with 400 INVALID_NUMBER naming its path', async () => {
      const res = await raw('POST', '/api/v3/tasks', '{"name":"x","input":{"n":[1,-1e400]}}');
      expectProblem(res, 400, 'INVALID_NUMBER');
      expect(res.body.errors[0].path).toBe('input.n[1]');
    });

    it('takes huge integers and negative zero without a 5xx', async () => {
      for (const body of ['{"name":"x","input":{"n":123456789012345678901234567890}}', '{"name":"x","input":-0}', '{"name":"x","maxAttempts":-0}', '{"name":"x","maxAttempts":1e300}', '{"name":"x","priority":1e20}']) {
        const res = await raw('POST', '/api/v3/tasks', body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    });
  });

  describe('URLs', () => {
    it.each([
      ['/api/v3/tasks/%00', 'path'],
      ['/api/v3/tasks/%ED%A0%80', 'path'],
      ['/api/v3/tasks/%zz', 'path'],
      ['/api/v3/executions?status=%00', 'query.status'],
      ['/api/v3/agent-definitions?name=a%00b', 'query.name'],
      ['/api/v3/memories?q=%ED%B0%80', 'query.q'],
      ['/api/v3/tasks?%00=1', 'query'],
    ])('refuses %s with 400 INVALID_STRING', async (path, field) => {
      const res = await api('GET', path);
      expectProblem(res, 400, 'INVALID_STRING');
      expect(res.body.errors[0].path).toBe(field);
    });

    it('answers odd but well-formed path parameters without a 5xx', async () => {
      for (const id of ['..%2F..%2Fetc', '..', 'x'.repeat(90), '%20', 'null', '-1', '1e400', '%F0%9F%98%80']) {
        const res = await api('GET', `/api/v3/executions/${id}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      expectProblem(await api('GET', `/api/v3/tasks/${'x'.repeat(200)}`), 414, 'URI_TOO_LONG');
    });
  });

  describe('headers', () => {
    it('refuses Idempotency-Key, If-Match and Last-Event-ID with bytes beyond printable ASCII', async () => {
      const res = await api('POST', '/api/v3/tasks', { body: { name: 'x' }, headers: { 'idempotency-key': 'key-\u00ff' } });
      expectProblem(res, 400, 'INVALID_HEADER');
      expect(res.body.errors[0].path).toBe('Idempotency-Key');
      expectProblem(await api('PUT', '/api/v3/memory-policies/00000000-0000-7000-8000-000000000001', { body: {}, headers: { 'if-match': '"3\u0080"' } }), 400, 'INVALID_HEADER');
      expectProblem(await api('GET', '/api/v3/executions/00000000-0000-7000-8000-000000000001/events', { headers: { 'last-event-id': '\u00e9' } }), 400, 'INVALID_HEADER');
    });

    it('answers a request Node cannot parse (a NUL in a header) with a problem', async () => {
      const response = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(t.url).port), '127.0.0.1');
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString('latin1')));
        socket.on('end', () => resolve(data));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
        socket.write('GET /api/v3/tasks HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0000b\r\n\r\n', 'latin1');
      });
      expect(response).toMatch(/^HTTP\/1\.1 400 /);
      expect(response).toContain('application/problem+json');
      expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    });
  });

  describe('cursors', () => {
    it.each(['/api/v3/executions', '/api/v3/tasks', '/api/v3/traces', '/api/v3/workflows', '/api/v3/agents', '/api/v3/agent-definitions', '/api/v3/memories', '/api/v3/memory-collections', '/api/v3/memory-policies'])(
      'refuses a cursor that is not ours on %s with 400 INVALID_CURSOR',
      async (path) => {
        const forged = [
          'garbage',
          Buffer.from(JSON.stringify({ id: 'x' })).toString('base64url'),
          Buffer.from(JSON.stringify({ id: 'x', createdAt: 'x', workflowId: 'x', version: 'x' })).toString('base64url') + '.AAAAAAAAAAAAAAAA',
          encodeCursor({ id: 'not-a-uuid', createdAt: 'never', workflowId: 'w', version: '1.x' }),
        ];
        for (const cursor of forged) expectProblem(await api('GET', `${path}?cursor=${encodeURIComponent(cursor)}`), 400, 'INVALID_CURSOR');
      },
    );

    it('follows its own cursors', async () => {
      for (let i = 0; i < 3; i++) expect((await api('POST', '/api/v3/tasks', { body: { name: `page ${i}` } })).status).toBe(201);
      const first = await api('GET', '/api/v3/tasks?limit=2');
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api('GET', `/api/v3/tasks?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.status).toBe(200);
      expect(second.body.items.length).toBeGreaterThan(0);
    });
  });

  describe('framework errors are problems with a code', () => {
    it('an unknown route is 404 NOT_FOUND', async () => {
      expectProblem(await api('GET', '/api/v3/nope'), 404, 'NOT_FOUND');
      expectProblem(await api('GET', '/nope', { key: null }), 404, 'NOT_FOUND');
    });

    it('a method a route does not take is a 404 problem', async () => {
      expectProblem(await api('PATCH', '/api/v3/tasks'), 404, 'NOT_FOUND');
      expectProblem(await api('DELETE', '/api/v3/executions'), 404, 'NOT_FOUND');
    });

    it('a content type other than JSON is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        expectProblem(await raw('POST', '/api/v3/tasks', 'name=x', type), 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it('malformed JSON is 400 MALFORMED_JSON, prototype poisoning included', async () => {
      for (const body of ['{', '{"name":', 'nul', '{"__proto__":{"x":1},"name":"x"}', '{"constructor":{"prototype":{"x":1}},"name":"x"}']) {
        expectProblem(await raw('POST', '/api/v3/tasks', body), 400, 'MALFORMED_JSON');
      }
    });

    it('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
      expectProblem(await raw('POST', '/api/v3/tasks', JSON.stringify({ name: 'x', input: 'y'.repeat(1_100_000) })), 413, 'PAYLOAD_TOO_LARGE');
    });
  });
});
