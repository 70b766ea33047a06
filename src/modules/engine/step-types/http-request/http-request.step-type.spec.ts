import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AppConfig } from '@cognition/config/app-config';
import { StepContext, StepError } from '../../contracts';
import { ResolvedAddress } from '@cognition/platform/outbound-http/host-guard';
import { HttpRequestStepType } from './http-request.step-type';

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-Custom-Header': 'yes' });
  res.end(JSON.stringify(value));
};

const routes: Record<string, Route> = {
  '/json': (_req, res) => json(res, 200, { hello: 'world', n: 1 }),
  '/echo': (req, res, body) =>
    json(res, 200, { method: req.method, url: req.url, contentType: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null, body }),
  '/text': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('plain text');
  },
  '/slow': (_req, res) => {
    setTimeout(() => res.writeHead(200).end('late'), 3000).unref();
  },
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(1024 * 1024, 120);
    for (let i = 0; i < 11; i++) res.write(chunk);
    res.end();
  },
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://local');
  const status = /^\/status\/(\d{3})$/.exec(url.pathname);
  if (status) return json(res, Number(status[1]), { error: `status ${status[1]}` });
  if (url.pathname === '/redirect') {
    res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/json' });
    return void res.end();
  }
  const loop = /^\/loop\/(\d+)$/.exec(url.pathname);
  if (loop) {
    res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` });
    return void res.end();
  }
  (routes[url.pathname] ?? ((_q, r) => json(r, 404, { error: 'not found' })))(req, res, body);
}

const fakeConfig = (hosts: string[], all: Record<string, unknown> = {}) =>
  ({ get: (key: string) => (key === 'HTTP_STEP_ALLOWED_HOSTS' ? hosts : undefined), all }) as unknown as AppConfig;

function context(params: Record<string, unknown>, signal = new AbortController().signal): StepContext {
  return {
    tenantId: 't1', executionId: 'e1', stepExecutionId: 's1', workflowId: 'w1', workflowVersion: '1.0.0', stepId: 'call',
    itemIndex: null, attempt: 1, params, inputs: {}, signal,
  };
}

async function failure(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

describe('HttpRequestStepType (against a local HTTP server)', () => {
  let server: Server;
  let base: string;
  let handler: HttpRequestStepType;

  beforeAll(async () => {
    server = createServer((req, res) => {
      readBody(req).then((body) => route(req, res, body), () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    handler = new HttpRequestStepType(fakeConfig(['127.0.0.1:*', 'api.example.com']));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('GETs and parses a JSON body, with lowercase header keys', async () => {
    const output = await handler.execute(context({ url: `${base}/json` }));
    expect(output.status).toBe(200);
    expect(output.body).toEqual({ hello: 'world', n: 1 });
    expect(output.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(output.headers['x-custom-header']).toBe('yes');
  });

  it('POSTs a JSON body with content-type application/json', async () => {
    const output = await handler.execute(context({ method: 'post', url: `${base}/echo`, body: { a: [1, 2] } }));
    expect(output.body).toMatchObject({ method: 'POST', contentType: 'application/json', body: '{"a":[1,2]}' });
  });

  it('sends a string body as is when a content-type header is given', async () => {
    const output = await handler.execute(
      context({ method: 'PUT', url: `${base}/echo`, headers: { 'Content-Type': 'text/csv' }, body: 'a,b\n1,2' }),
    );
    expect(output.body).toMatchObject({ method: 'PUT', contentType: 'text/csv', body: 'a,b\n1,2' });
  });

  it('appends query params to the URL', async () => {
    const output = await handler.execute(
      context({ url: `${base}/echo?x=0`, query: { q: 'a b', n: 5, flag: true, tag: ['t1', 't2'], skipped: null } }),
    );
    expect((output.body as { url: string }).url).toBe('/echo?x=0&q=a+b&n=5&flag=true&tag=t1&tag=t2');
  });

  it('returns a text body as a string', async () => {
    const output = await handler.execute(context({ url: `${base}/text` }));
    expect(output).toMatchObject({ status: 200, body: 'plain text' });
  });

  it('returns a status listed in expectStatus and refuses one that is not', async () => {
    const output = await handler.execute(context({ url: `${base}/status/404`, expectStatus: [200, 404] }));
    expect(output).toMatchObject({ status: 404, body: { error: 'status 404' } });
    const error = await failure(handler.execute(context({ url: `${base}/json`, expectStatus: [201] })));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', retryable: false, details: { status: 200 } });
  });

  it('fails a 500 as retryable, with the status and body in details', async () => {
    const error = await failure(handler.execute(context({ url: `${base}/status/500` })));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', retryable: true, details: { status: 500, body: '{"error":"status 500"}' } });
  });

  it('fails a 429 as retryable and a 404 as non-retryable', async () => {
    expect(await failure(handler.execute(context({ url: `${base}/status/429` })))).toMatchObject({ retryable: true });
    const error = await failure(handler.execute(context({ url: `${base}/status/404` })));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', retryable: false, details: { status: 404 } });
  });

  it('fails with a retryable HTTP_TIMEOUT after timeoutMs', async () => {
    // /slow answers 200 after 3 s: an HTTP_TIMEOUT can only come from timeoutMs.
    const error = await failure(handler.execute(context({ url: `${base}/slow`, timeoutMs: 100 })));
    expect(error).toMatchObject({ code: 'HTTP_TIMEOUT', retryable: true });
  });

  it('stops when the context signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(handler.execute(context({ url: `${base}/slow` }, controller.signal)));
    expect(error).toMatchObject({ code: 'HTTP_ABORTED', retryable: true });
  });

  it('fails a connection error with a retryable HTTP_ERROR', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(handler.execute(context({ url: `http://127.0.0.1:${port}/` })));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('follows redirects on allowed hosts, turning a POST into a GET on 303', async () => {
    const output = await handler.execute(
      context({ method: 'POST', url: `${base}/redirect`, query: { status: 303, to: '/echo' }, body: { a: 1 } }),
    );
    expect(output.body).toMatchObject({ method: 'GET', contentType: null, body: '' });
  });

  it('returns a redirect listed in expectStatus instead of following it', async () => {
    const output = await handler.execute(context({ url: `${base}/redirect`, query: { to: '/json' }, expectStatus: [302] }));
    expect(output).toMatchObject({ status: 302, headers: { location: '/json' } });
  });

  it('refuses a redirect to a host that is not allowed', async () => {
    const error = await failure(handler.execute(context({ url: `${base}/redirect`, query: { to: 'http://evil.example.net/' } })));
    expect(error).toMatchObject({ code: 'HOST_NOT_ALLOWED', retryable: false });
    expect(error.message).toContain('evil.example.net');
  });

  it('gives up after 5 redirects', async () => {
    const error = await failure(handler.execute(context({ url: `${base}/loop/0` })));
    expect(error).toMatchObject({ code: 'HTTP_TOO_MANY_REDIRECTS', retryable: false });
  });

  it('refuses a response body over STEP_OUTPUT_MAX_BYTES (1 MiB by default)', async () => {
    const error = await failure(handler.execute(context({ url: `${base}/big` })));
    expect(error).toMatchObject({ code: 'HTTP_RESPONSE_TOO_LARGE', retryable: false, details: { limit: 1_048_576 } });
    const small = new HttpRequestStepType(fakeConfig(['127.0.0.1:*'], { STEP_OUTPUT_MAX_BYTES: 64 * 1024 }));
    const capped = await failure(small.execute(context({ url: `${base}/big` })));
    expect(capped).toMatchObject({ code: 'HTTP_RESPONSE_TOO_LARGE', details: { limit: 65536 } });
    expect(capped.message).toMatch(/limit of 65536 bytes/);
  });

  it('refuses loopback when it is not listed', async () => {
    const unlisted = new HttpRequestStepType(fakeConfig(['api.example.com']));
    const error = await failure(unlisted.execute(context({ url: `${base}/json` })));
    expect(error).toMatchObject({ code: 'HOST_NOT_ALLOWED', retryable: false });
  });

  it('refuses a wildcard-listed host that resolves to loopback', async () => {
    class Resolving extends HttpRequestStepType {
      protected override resolveHost(): Promise<ResolvedAddress[]> {
        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      }
    }
    const port = new URL(base).port;
    const error = await failure(new Resolving(fakeConfig(['*.example.test:*'])).execute(context({ url: `http://svc.example.test:${port}/json` })));
    expect(error).toMatchObject({ code: 'HOST_NOT_ALLOWED', retryable: false });
    expect(error.message).toContain('non-public address 127.0.0.1');
  });

  it('refuses every host when HTTP_STEP_ALLOWED_HOSTS is empty', async () => {
    const error = await failure(new HttpRequestStepType(fakeConfig([])).execute(context({ url: `${base}/json` })));
    expect(error).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(error.message).toContain('HTTP_STEP_ALLOWED_HOSTS');
  });

  it.each([
    [{}, /url is required/],
    [{ url: 'ftp://127.0.0.1/' }, /http or https/],
    [{ url: 'not a url' }, /valid absolute URL/],
    [{ url: 'http://u:p@127.0.0.1/' }, /credentials/],
    [{ url: 'http://127.0.0.1/', method: 'TRACE' }, /method must be one of/],
    [{ url: 'http://127.0.0.1/', timeoutMs: 300001 }, /timeoutMs/],
    [{ url: 'http://127.0.0.1/', expectStatus: [200, '201'] }, /expectStatus/],
    [{ url: 'http://127.0.0.1/', headers: { 'x-a': { nested: true } } }, /header x-a/],
    [{ url: 'http://127.0.0.1/', query: { a: { b: 1 } } }, /query\.a/],
    [{ url: 'http://127.0.0.1/', body: { a: 1 } }, /GET request cannot have a body/],
  ])('refuses invalid params %j', async (params, message) => {
    const error = await failure(handler.execute(context(params)));
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', retryable: false });
    expect(error.message).toMatch(message);
  });
});
