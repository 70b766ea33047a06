/**
 * The local HTTP service the workflow's http_request steps call: `/slow?ms=N&n=…&step=…` answers
 * after N ms. It counts calls per (n, step), so a step whose HTTP call was made more than once
 * (a re-run after a crash, which at-least-once delivery allows) shows up in the report.
 */
import { createServer, Server } from 'node:http';

export interface SlowServer {
  url: string;
  calls: Map<string, number>;
  close(): Promise<void>;
}

export async function startSlowServer(): Promise<SlowServer> {
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = `${url.searchParams.get('n')}/${url.searchParams.get('step')}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const ms = Math.min(Number(url.searchParams.get('ms') ?? 0) || 0, 10_000);
    const timer = setTimeout(() => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ step: url.searchParams.get('step'), n: url.searchParams.get('n') }));
    }, ms);
    req.on('close', () => {
      if (!res.writableEnded) clearTimeout(timer);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
