import { createServer, Server } from 'node:http';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/** A loopback server on a random port; `/to?url=` redirects there, anything else answers 200 and is counted. */
async function server(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const s: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/to') return void res.writeHead(302, { location: url.searchParams.get('url') ?? '/' }).end();
    hits.push(url.pathname);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: url.pathname }));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as { port: number }).port, hits, close: () => new Promise((r) => (s.closeAllConnections(), s.close(() => r()))) };
}

/** SPEC section 4: an allow-list entry matches host and port, and every redirect hop is checked again. */
describe('HTTP_STEP_ALLOWED_HOSTS matches host and port (e2e, http_request step)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let allowed: Awaited<ReturnType<typeof server>>;
  let other: Awaited<ReturnType<typeof server>>;

  beforeAll(async () => {
    allowed = await server();
    other = await server();
    t = await startTestApp('allow-list-ports', { HTTP_STEP_ALLOWED_HOSTS: `127.0.0.1:${allowed.port}`, WORKER_POLL_MS: '100', SCHEDULER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'fetch', steps: [{ id: 'call', type: 'http_request', params: { url: '${{ inputs.url }}' } }] });
  });
  afterAll(async () => {
    await t?.close();
    await allowed?.close();
    await other?.close();
  });

  const run = async (url: string) => waitForExecution(api, (await start(api, 'fetch', { url })).body.id);

  it('reaches the listed port, following a redirect that stays on it', async () => {
    const done = await run(`http://127.0.0.1:${allowed.port}/to?url=/landed`);
    expect(done.status).toBe('completed');
    expect(done.steps[0].output).toMatchObject({ status: 200, body: { path: '/landed' } });
  });

  it('refuses a redirect to another port of the same host, without calling it', async () => {
    const done = await run(`http://127.0.0.1:${allowed.port}/to?url=${encodeURIComponent(`http://127.0.0.1:${other.port}/secret`)}`);
    expect(done.status).toBe('failed');
    expect(done.steps[0].error).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(done.steps[0].error.message).toContain(`port ${other.port}`);
    expect(other.hits).toEqual([]);
  });

  it('refuses another port of the listed host directly, and the default port', async () => {
    for (const url of [`http://127.0.0.1:${other.port}/direct`, 'http://127.0.0.1/direct']) {
      const done = await run(url);
      expect(done.steps[0].error).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    }
    expect(other.hits).toEqual([]);
  });
});
