import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { apiClient } from './http-client';

type Api = ReturnType<typeof apiClient>;

/** Polls GET /executions/{id} until its status is one of `statuses`. */
export async function waitForExecution(api: Api, id: string, statuses = ['completed', 'failed', 'cancelled'], ms = 20_000): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await api('GET', `/api/v3/executions/${id}`);
    if (statuses.includes(res.body.status)) return res.body;
    if (Date.now() > until) throw new Error(`execution ${id} is ${res.body.status} after ${ms} ms: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitForStep(api: Api, id: string, stepId: string, status: string, ms = 20_000): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await api('GET', `/api/v3/executions/${id}`);
    const step = res.body.steps?.find((s: { stepId: string; itemIndex: number | null }) => s.stepId === stepId && s.itemIndex === null);
    if (step?.status === status) return step;
    if (Date.now() > until) throw new Error(`step ${stepId} is ${step?.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates and activates a workflow version. */
export async function activeWorkflow(api: Api, body: Record<string, unknown>): Promise<void> {
  const res = await api('POST', '/api/v3/workflows', { body: { version: '1.0.0', name: String(body.id), status: 'active', ...body } });
  if (res.status !== 201) throw new Error(`workflow ${body.id}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function start(api: Api, workflowId: string, inputs: Record<string, unknown> = {}, headers?: Record<string, string>) {
  return api('POST', `/api/v3/workflows/${workflowId}/executions`, { body: { inputs }, headers });
}

export interface TestServer {
  url: string;
  requests: { path: string; aborted: boolean }[];
  /** From now on `/slow` answers wait (past their `ms`) until `release()`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** A local HTTP server the http_request steps call: `/fail` answers 500, `/slow?ms=` waits, anything else echoes. */
export async function testServer(): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  let held: (() => void)[] | null = null;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const record = { path: url.pathname, aborted: false };
    requests.push(record);
    req.on('close', () => {
      if (!res.writableEnded) record.aborted = true;
    });
    if (url.pathname === '/fail') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'boom' }));
      return;
    }
    const ms = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 1000) : 0;
    const answer = () => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: url.pathname, query: Object.fromEntries(url.searchParams) }));
    };
    const timer = setTimeout(() => (held && url.pathname === '/slow' ? held.push(answer) : answer()), ms);
    timer.unref();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = null;
      for (const answer of waiting) answer();
    },
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
