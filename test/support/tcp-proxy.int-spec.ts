import { Client } from 'pg';
import { startTcpProxy, TcpProxy } from './tcp-proxy';
import { TEST_DB } from './test-database';

/** The fault-test proxy itself, against the real PostgreSQL: each control does what it says. */
describe('TCP proxy in front of PostgreSQL', () => {
  let proxy: TcpProxy;
  const clients: Client[] = [];

  const client = () => {
    const c = new Client({ host: '127.0.0.1', port: proxy.port, user: TEST_DB.user, password: TEST_DB.password, database: 'postgres', connectionTimeoutMillis: 5000 });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const ping = async (c: Client) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0].one;
  const waitFor = async (check: () => boolean, ms = 5000) => {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error('condition not met');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeEach(async () => {
    proxy = await startTcpProxy(TEST_DB.host, TEST_DB.port);
  });
  afterEach(async () => {
    await proxy.close();
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });

  it('forwards queries, and counts open connections', async () => {
    const a = client();
    const b = client();
    await a.connect();
    await b.connect();
    expect(await ping(a)).toBe(1);
    expect(await ping(b)).toBe(1);
    expect(proxy.connections()).toBe(2);
    await a.end();
    await waitFor(() => proxy.connections() === 1);
    expect(proxy.connections()).toBe(1);
  });

  it('cutAll: every open connection fails, and new ones work', async () => {
    const c = client();
    await c.connect();
    expect(await ping(c)).toBe(1);
    const errored = new Promise<Error>((resolve) => c.once('error', resolve));
    proxy.cutAll();
    expect((await errored).message).toMatch(/terminated|ECONNRESET/i);
    await expect(ping(c)).rejects.toThrow();
    expect(proxy.connections()).toBe(0);

    const fresh = client();
    await fresh.connect();
    expect(await ping(fresh)).toBe(1);
  });

  it('refuse: new connections fail until allow(), open ones stay', async () => {
    const open = client();
    await open.connect();
    proxy.refuse();
    await expect(client().connect()).rejects.toThrow();
    await expect(client().connect()).rejects.toThrow();
    expect(await ping(open)).toBe(1);
    proxy.allow();
    const c = client();
    await c.connect();
    expect(await ping(c)).toBe(1);
  });

  it('refuse(ms): connections work again once the time has passed', async () => {
    proxy.refuse(300);
    await expect(client().connect()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 400));
    const c = client();
    await c.connect();
    expect(await ping(c)).toBe(1);
  });

  it('latency: a round trip takes at least the added delay (both directions), and data stays in order', async () => {
    const c = client();
    await c.connect();
    proxy.latency(150);
    const started = Date.now();
    expect(await ping(c)).toBe(1);
    // One query is one round trip: 150 ms each way. Only a loose lower bound; no upper bound.
    expect(Date.now() - started).toBeGreaterThanOrEqual(0.8 * 300);

    // A large result arriving in many chunks while the latency drops to 0 keeps its order.
    const rows = c.query<{ n: number }>('SELECT n FROM generate_series(1, 50000) AS n');
    setTimeout(() => proxy.latency(0), 160);
    const got = (await rows).rows.map((r) => r.n);
    expect(got).toHaveLength(50_000);
    expect(got.every((n, i) => n === i + 1)).toBe(true);
    expect(await ping(c)).toBe(1);
  });

  it('close: stops listening and cuts every connection', async () => {
    const c = client();
    await c.connect();
    const errored = new Promise<Error>((resolve) => c.once('error', resolve));
    await proxy.close();
    await errored;
    await expect(client().connect()).rejects.toThrow();
    proxy = await startTcpProxy(TEST_DB.host, TEST_DB.port); // afterEach closes this one
  });
});
