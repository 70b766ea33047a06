/**
 * The "raw pgvector over HTTP" peer: bench/memory/bare-search-server.mjs as a child process, called
 * with the same HTTP client and sockets as ours. It answers the question raw pgvector through `pg`
 * cannot: how much of ours − raw is the cost of any HTTP API on these 2 cores, and how much is ours.
 */
import { join } from 'node:path';
import { waitForHttp } from '../support/http';
import { pgAdminConfig } from '../support/postgres';
import { Child, freePort, startChild } from '../support/process';
import { JsonHttpClient } from './http-client';
import { comparisonStatements, RawVariant, sessionSettings } from './raw-sql';

export class HttpRawServer {
  private child?: Child;
  private api?: JsonHttpClient;

  constructor(
    private readonly root: string,
    private readonly database: string,
  ) {}

  async start(k: number, connections: number, sockets: number): Promise<void> {
    const port = await freePort();
    const db = pgAdminConfig(this.database);
    this.child = startChild('http-raw', process.execPath, [join(this.root, 'bench', 'memory', 'bare-search-server.mjs')], {
      ...process.env,
      PORT: String(port),
      DB_HOST: String(db.host),
      DB_PORT: String(db.port),
      DB_USER: String(db.user),
      DB_PASSWORD: String(db.password ?? ''),
      DB_NAME: this.database,
      BARE_POOL_SIZE: String(connections),
      BARE_SEARCH_SQL: JSON.stringify(comparisonStatements(k)),
    });
    const base = `http://127.0.0.1:${port}`;
    this.api = new JsonHttpClient(base, {}, sockets);
    await waitForHttp(`${base}/health`, this.child);
    await this.api.expect([200], 'POST', '/configure', { settings: ['SET max_parallel_workers_per_gather = 0'] });
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /** The same session settings as RawSql.configure, on every connection of the server's pool. */
  async configure(efSearch: number, iterative: 'off' | 'relaxed_order', filtered: boolean, forceIndex: boolean): Promise<void> {
    await this.api!.expect([200], 'POST', '/configure', { settings: sessionSettings(efSearch, iterative, filtered, forceIndex) });
  }

  /** One search; `vector` is the query as pgvector text, which is also a JSON array. */
  async search(variant: RawVariant, vector: string, namespace: string | undefined, k: number): Promise<string[]> {
    const ns = namespace === undefined ? '' : `,"namespace":"${namespace}"`;
    const answer = await this.api!.send<{ ids: string[] }>('POST', '/search', `{"variant":"${variant}","k":${k}${ns},"embedding":${vector}}`);
    if (answer.status !== 200) throw new Error(`http-raw /search answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    return answer.body.ids;
  }

  async stop(): Promise<void> {
    this.api?.close();
    await this.child?.stop();
    this.child = undefined;
  }
}
