import { createServer, Server } from 'node:http';
import { AppConfig } from '@cognition/config/app-config';
import { HttpFetchTool } from './http-fetch.tool';

describe('http_fetch agent tool (real HTTP on loopback)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/away') return void res.writeHead(302, { location: 'http://10.1.2.3/internal' }).end();
      if (req.url === '/hop') return void res.writeHead(302, { location: '/data' }).end();
      if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(50_000));
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, path: req.url, body })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const tool = (allowed: string[]) => new HttpFetchTool({ get: () => allowed } as unknown as AppConfig);
  const context = { tenantId: 't', agentId: 'a', taskId: 'k', signal: new AbortController().signal };

  it('fetches an allow-listed host, follows redirects and returns the body as text', async () => {
    const result = (await tool([new URL(base).host]).execute({ url: `${base}/hop` }, context)) as { status: number; body: string };
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ method: 'GET', path: '/data' });
    const posted = (await tool([new URL(base).host]).execute({ url: `${base}/in`, method: 'POST', body: '{"a":1}' }, context)) as { body: string };
    expect(JSON.parse(posted.body)).toMatchObject({ method: 'POST', body: '{"a":1}' });
  });

  it('refuses hosts that are not allowed, also when a redirect leads there', async () => {
    await expect(tool([]).execute({ url: `${base}/data` }, context)).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    await expect(tool(['example.com']).execute({ url: `${base}/data` }, context)).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    await expect(tool([new URL(base).host]).execute({ url: `${base}/away` }, context)).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
  });

  it('refuses non-http URLs and truncates long bodies for the model', async () => {
    await expect(tool([new URL(base).host]).execute({ url: 'file:///etc/passwd' }, context)).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
    const big = (await tool([new URL(base).host]).execute({ url: `${base}/big` }, context)) as { body: string; truncated: boolean };
    expect(big.truncated).toBe(true);
    expect(big.body.length).toBe(20_000);
  });
});
