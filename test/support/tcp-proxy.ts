import { createServer, connect, Socket } from 'node:net';

/**
 * A TCP proxy a test controls, put between the code under test and PostgreSQL (or any server) to
 * cause faults on demand: cut every open connection, refuse new ones for a while, add latency.
 *
 *   const proxy = await startTcpProxy('127.0.0.1', 5432);
 *   process.env.DB_PORT = String(proxy.port);
 *   proxy.cutAll();          // every open connection is destroyed (clients see "Connection terminated")
 *   proxy.refuse(3000);      // new connections are reset at once for 3 s (or until allow())
 *   proxy.latency(200);      // each chunk is delayed 200 ms, in both directions
 */
export interface TcpProxy {
  /** The local port (on 127.0.0.1) to connect to instead of the target. */
  readonly port: number;
  /** Destroys every open connection pair, both sides. New connections are still accepted. */
  cutAll(): void;
  /** New connections are accepted and reset at once, until `ms` has passed (if given) or `allow()`. Open ones stay. */
  refuse(ms?: number): void;
  /** Ends `refuse`: new connections are forwarded again. */
  allow(): void;
  /** Delays every chunk of data by `ms` in both directions (0 turns it off); order is kept. */
  latency(ms: number): void;
  /** Open connection pairs. */
  connections(): number;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let refusing = false;
  let refuseTimer: NodeJS.Timeout | undefined;
  let delayMs = 0;

  const destroyPair = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  };

  /** Copies `from` to `to` through a queue, so that data keeps its order whatever the latency does. */
  const forward = (from: Socket, to: Socket, pair: Pair) => {
    const queue: { at: number; chunk: Buffer | null }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let lastAt = 0;
    const drain = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0].at <= now) {
        const { chunk } = queue.shift()!;
        if (to.destroyed) return;
        if (chunk === null) to.end();
        else to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].at - now);
    };
    const push = (chunk: Buffer | null) => {
      const at = Math.max(Date.now() + delayMs, lastAt);
      lastAt = at;
      queue.push({ at, chunk });
      if (delayMs === 0 && queue.length === 1 && !timer) drain();
      else if (!timer) timer = setTimeout(drain, Math.max(0, queue[0].at - Date.now()));
    };
    from.on('data', (chunk: Buffer) => push(chunk));
    from.on('end', () => push(null));
    from.on('close', () => {
      if (timer) clearTimeout(timer);
      // A side that closes with data still queued for it, or without a clean end, takes its pair down.
      if (queue.length > 0 || !from.readableEnded) destroyPair(pair);
      else if (to.writableFinished || to.destroyed) destroyPair(pair);
    });
    from.on('error', () => destroyPair(pair));
  };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    if (refusing) {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    client.pause();
    const upstream = connect({ host: targetHost, port: targetPort, allowHalfOpen: true });
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    forward(client, upstream, pair);
    forward(upstream, client, pair);
    upstream.once('connect', () => client.resume());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };

  const allow = () => {
    refusing = false;
    if (refuseTimer) clearTimeout(refuseTimer);
    refuseTimer = undefined;
  };

  return {
    port,
    cutAll: () => {
      for (const pair of [...pairs]) destroyPair(pair);
    },
    refuse: (ms?: number) => {
      allow();
      refusing = true;
      if (ms !== undefined) {
        refuseTimer = setTimeout(allow, ms);
        refuseTimer.unref();
      }
    },
    allow,
    latency: (ms: number) => {
      delayMs = Math.max(0, ms);
    },
    connections: () => pairs.size,
    close: async () => {
      allow();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of [...pairs]) destroyPair(pair);
      await closed;
    },
  };
}
