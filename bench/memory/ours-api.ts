/**
 * Our server under test: the built `node dist/src/main.js` as a child process on its own database,
 * called over HTTP with an API key (BOOTSTRAP_API_KEY creates it, with its tenant, at start).
 */
import { join } from 'node:path';
import { waitForHttp } from '../support/http';
import { Child, freePort, runCommand, startChild } from '../support/process';
import { JsonHttpClient } from './http-client';
import { MODEL } from './raw-sql';

export const API_KEY = 'cos_benchmem_bench-memory-secret-0123456789';
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Environment for children: pointed at the bench database, never at DATABASE_URL. */
export function childEnv(database: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // '' counts as unset for the app (validateEnv) and stops a .env file from filling it in.
  return { ...process.env, DATABASE_URL: '', DB_NAME: database, NODE_ENV: 'production', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000', ...extra };
}

export async function migrate(root: string, database: string): Promise<void> {
  await runCommand(NPM, ['run', '--silent', 'migration:run'], childEnv(database, { LOG_LEVEL: 'warn' }), root, true);
}

export async function build(root: string, always: boolean): Promise<void> {
  if (!always) {
    // Only when dist/ is missing or older than its sources (scripts/build-if-stale.js).
    await runCommand(process.execPath, [join(root, 'scripts', 'build-if-stale.js')], process.env, root, true);
    return;
  }
  await runCommand(NPM, ['run', '--silent', 'build'], process.env, root, true);
}

export interface ServerOptions {
  root: string;
  database: string;
  env: Record<string, string>;
  /** CPU-profile the server (node --cpu-prof) into this folder. */
  profileDir?: string;
}

export class OursServer {
  child?: Child;
  base = '';
  api?: JsonHttpClient;

  constructor(private readonly options: ServerOptions) {}

  async start(extraEnv: Record<string, string> = {}, sockets = 8): Promise<void> {
    const port = await freePort();
    this.child = startChild(
      'ours',
      process.execPath,
      [...(this.options.profileDir ? ['-r', './bench/support/exit-on-signal.cjs', '--cpu-prof', `--cpu-prof-dir=${this.options.profileDir}`] : []), 'dist/src/main.js'],
      childEnv(this.options.database, {
        PORT: String(port),
        LOG_LEVEL: 'warn',
        WORKER_ENABLED: 'false',
        AGENT_WORKER_ENABLED: 'false',
        SCHEDULER_ENABLED: 'false',
        BOOTSTRAP_API_KEY: API_KEY,
        ...this.options.env,
        ...extraEnv,
      }),
      this.options.root,
    );
    this.base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${this.base}/health/ready`, this.child);
    this.api = new JsonHttpClient(this.base, { authorization: `Bearer ${API_KEY}` }, sockets);
  }

  async stop(): Promise<void> {
    this.api?.close();
    await this.child?.stop();
    this.child = undefined;
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /** Are the memory endpoints there? (a 404 with an empty body means "not built yet"). */
  async missingEndpoints(withCreate: boolean): Promise<string[]> {
    const missing: string[] = [];
    for (const path of [...(withCreate ? ['/api/v3/memories'] : []), '/api/v3/memories/search']) {
      const answer = await this.api!.send('POST', path, {});
      if (answer.status === 404) missing.push(`POST ${path} (404)`);
      if (answer.status >= 500) missing.push(`POST ${path} (${answer.status}: ${answer.text.slice(0, 200)})`);
    }
    return missing;
  }
}

// ── request bodies ────────────────────────────────────────────────────────────────────────────────

export function memoryJson(i: number, namespace: string, vector: string): string {
  return `{"content":"bench vector ${i}","namespace":"${namespace}","memoryType":"knowledge","metadata":{"i":${i}},"embeddingModel":"${MODEL}","embedding":${vector}}`;
}

export function batchJson(items: string[]): string {
  return `{"items":[${items.join(',')}]}`;
}

export function textBatchJson(texts: string[], namespace: string): string {
  return JSON.stringify({ items: texts.map((content) => ({ content, namespace, memoryType: 'experience' })) });
}

export function searchJson(vector: string, k: number, efSearch: number | undefined, namespace: string | undefined): string {
  const ef = efSearch === undefined ? '' : `,"efSearch":${efSearch}`;
  const filters = namespace === undefined ? '' : `,"filters":{"namespace":"${namespace}"}`;
  return `{"mode":"vector","embeddingModel":"${MODEL}","k":${k}${ef}${filters},"embedding":${vector}}`;
}

export interface SearchAnswer {
  ids: string[];
  strategy?: string;
}

export function parseSearch(body: any): SearchAnswer {
  const items: any[] = Array.isArray(body?.items) ? body.items : [];
  const ids = items.map((hit) => String(hit?.memory?.id ?? hit?.id));
  const s = body?.strategy?.vector;
  return { ids, strategy: typeof s === 'string' ? s : undefined };
}
