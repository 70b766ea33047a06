import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { currentSection, OPERATIONS_DOC, tablesSection, tableRows } from '../../scripts/docs-tables';
import { freePort, ROOT, startTs, waitForHttp } from '../support/processes';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';
import type { ChildProcess } from 'node:child_process';

/** The key of .env.example (and docker-compose's default): the README's examples use it. */
const BOOTSTRAP_KEY = 'cos_devlocal_change-me-to-a-long-random-secret';

interface Block {
  line: number;
  code: string;
  /** An expected non-2xx status (`<!-- readme-test: expect 422 -->`), checked on every curl of the block. */
  expect?: number;
}

/** The shell blocks of README.md marked `<!-- readme-test -->` (or `<!-- readme-test: expect NNN -->`), in order. */
export function readmeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /<!-- readme-test(?:: expect (\d{3}))? -->\s*\n```bash\n([\s\S]*?)\n```/g;
  for (const m of markdown.matchAll(pattern)) {
    blocks.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[2], expect: m[1] ? Number(m[1]) : undefined });
  }
  return blocks;
}

/**
 * One bash session running the blocks in order (so their variables carry over), each between
 * markers; `set -e -o pipefail` stops at the first failing command. In an `expect` block, curl
 * prints each answer's status after its body.
 */
function script(blocks: Block[], baseUrl: string): string {
  const parts = ['set -e -o pipefail'];
  blocks.forEach((b, i) => {
    parts.push(`echo "::block ${i} start"`);
    if (b.expect) parts.push(`curl() { command curl -w '\\n::status %{http_code}\\n' "$@"; }`);
    parts.push(b.code.replaceAll('http://localhost:3000', baseUrl));
    if (b.expect) parts.push('unset -f curl');
    parts.push(`echo "::block ${i} done"`);
  });
  return parts.join('\n');
}

function run(bash: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Its own process group: a block's background job (the SSE curl) is ended with it.
    const child = spawn('bash', ['-c', bash], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* the group has ended */
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** The execution once it has ended (the README's last reads may come just before). */
async function waitForStatus(url: string, id: string): Promise<{ status: string }> {
  for (let i = 0; ; i++) {
    const execution = (await (await fetch(`${url}/api/v3/executions/${id}`, { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } })).json()) as { status: string };
    if (['completed', 'failed', 'cancelled'].includes(execution.status) || i >= 50) return execution;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('README examples and docs/operations.md (e2e)', () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let serverOut = '';
  let url: string;
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  beforeAll(async () => {
    db = await createTestDatabase('readme');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The server as `npm start` runs it, with the .env.example key and request logs on.
    server = startTs('src/main.ts', {
      ...db.env,
      DATABASE_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
      OUTBOX_POLL_MS: '200',
      AGENT_POLL_MS: '200',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
    });
    server.stdout!.on('data', (d) => (serverOut += d));
    server.stderr!.on('data', (d) => (serverOut += d));
    await waitForHttp(`${url}/health/ready`, 60_000);
  }, 90_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
  });

  it('finds the runnable blocks (the test cannot pass on a README without them)', () => {
    const blocks = readmeBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => b.expect === 422)).toHaveLength(1);
    // Every curl of a 2xx block fails on a non-2xx answer.
    for (const b of blocks.filter((x) => !x.expect)) {
      for (const curl of b.code.match(/curl -[a-zA-Z]+/g) ?? []) expect(`${curl} (README line ${b.line})`).toMatch(/^curl -\w*f/);
    }
  });

  it('runs every marked README block in order against a live server: each exits 0', async () => {
    const blocks = readmeBlocks(readme);
    const result = await run(script(blocks, url), {});
    const done = [...result.stdout.matchAll(/::block (\d+) done/g)].map((m) => Number(m[1]));
    const failed = blocks.find((_, i) => !done.includes(i));
    if (result.code !== 0 || failed) {
      throw new Error(`README block at line ${failed?.line} failed (exit ${result.code}):\n${failed?.code}\n--- stderr:\n${result.stderr.slice(-3000)}\n--- stdout:\n${result.stdout.slice(-3000)}`);
    }
    expect(done).toEqual(blocks.map((_, i) => i));
    // The error example answers what the README says it does.
    blocks.forEach((b, i) => {
      if (!b.expect) return;
      const output = result.stdout.slice(result.stdout.indexOf(`::block ${i} start`), result.stdout.indexOf(`::block ${i} done`));
      const statuses = [...output.matchAll(/::status (\d{3})/g)].map((m) => Number(m[1]));
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === b.expect)).toBe(true);
      expect(output).toContain('"code"');
    });
    // What the blocks say happened did: the signalled workflow and the agent_task workflow completed.
    for (const workflowId of ['greet', 'greet-by-agent']) {
      const page = (await (await fetch(`${url}/api/v3/executions?workflowId=${workflowId}`, { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } })).json()) as { items: { id: string; status: string }[] };
      expect(page.items.length).toBe(1);
      const execution = await waitForStatus(url, page.items[0].id);
      expect({ workflowId, status: execution.status }).toEqual({ workflowId, status: 'completed' });
    }
  }, 120_000);

  it('does not log health probes and metrics scrapes; logs API requests (docs/operations.md, "Logs")', async () => {
    await fetch(`${url}/health/live`);
    await fetch(`${url}/health/ready`);
    await fetch(`${url}/metrics`);
    await fetch(`${url}/api/v3/workflows`, { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } });
    await new Promise((r) => setTimeout(r, 300));
    const requests = serverOut
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } })
      .filter((l) => l.msg === 'request completed')
      .map((l) => l.req?.url ?? '');
    expect(requests).toContain('/api/v3/workflows');
    expect(requests.filter((u) => u.startsWith('/health') || u.startsWith('/metrics'))).toEqual([]);
  });

  it('docs/operations.md lists every table of the migrated schema (npm run docs:tables)', async () => {
    const client = new Client({ ...TEST_DB, database: db.name });
    await client.connect();
    const rows = await tableRows(client).finally(() => client.end());
    expect(rows.length).toBeGreaterThan(20);
    const doc = readFileSync(OPERATIONS_DOC, 'utf8');
    if (currentSection(doc) !== tablesSection(rows)) throw new Error('docs/operations.md: the table list is stale: run npm run docs:tables and commit the result');
    expect(currentSection(doc)).toBe(tablesSection(rows));
  });
});
