/**
 * API benchmark: read one workflow version (`GET /api/v3/workflows/{id}/versions/{v}`).
 *
 * Compares our server (Nest + Fastify + auth + TypeORM/PostgreSQL, built `dist/src/main.js`) with a
 * bare Fastify handler that answers the same JSON ("the limit"), one after the other, with
 * autocannon. Prints a markdown table and writes bench/results/api.json.
 *
 *   npm run bench:api                      # 3 s warm-up, 10 s, 50 connections
 *   BENCH_DURATION=30 BENCH_CONNECTIONS=100 npm run bench:api
 */
import { isDeepStrictEqual } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requestJson, waitForHttp } from '../support/http';
import { LoadResult, loadSettingsFromEnv, measure } from '../support/load';
import { formatMachine, machineInfo } from '../support/machine';
import { recreateDatabase } from '../support/postgres';
import { freePort, runCommand, startChild, stopAll } from '../support/process';
import { markdownTable } from '../support/table';

const ROOT = resolve(__dirname, '..', '..');
const DB_NAME = 'cognition_os_bench';
/** Fixed key, created by the server at start (BOOTSTRAP_API_KEY) since the bench database has none. */
const API_KEY = 'cos_benchkey_bench-secret-0123456789abcdefghij';
const TARGET_RATIO = 0.5;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function diamond(id = 'bench-diamond', version = '1.0.0') {
  return {
    id,
    version,
    name: 'Diamond',
    description: 'fetch, two branches, join',
    tags: ['demo', 'dag'],
    steps: [
      { id: 'fetch', type: 'transform', params: { output: { text: '${{ inputs.text }}' } } },
      { id: 'left', type: 'transform', dependsOn: ['fetch'], params: { output: '${{ steps.fetch.output.text }}' } },
      { id: 'right', type: 'transform', dependsOn: ['fetch'], condition: "inputs.mode == 'full'", params: { output: 'r' } },
      { id: 'join', type: 'transform', dependsOn: ['left', 'right'], params: { output: 'L=${{ steps.left.output }}' } },
    ],
  };
}

/** The environment for children: ours, pointed at the bench database, never at DATABASE_URL. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // '' counts as unset for the app (validateEnv) and stops a .env file from filling it in.
  return { ...process.env, DATABASE_URL: '', DB_NAME, ...extra };
}

async function main(): Promise<void> {
  const settings = loadSettingsFromEnv();
  const machine = await machineInfo();

  console.error(`== database ${DB_NAME}: recreate and migrate`);
  await recreateDatabase(DB_NAME);
  await runCommand(NPM, ['run', '--silent', 'migration:run'], serverEnv({ LOG_LEVEL: 'warn' }), ROOT);

  if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) {
    console.error('== dist/src/main.js missing: npm run build');
    await runCommand(NPM, ['run', 'build'], process.env, ROOT);
  }

  console.error('== starting our server');
  const oursPort = await freePort();
  const ours = startChild(
    'ours',
    process.execPath,
    ['dist/src/main.js'],
    serverEnv({
      NODE_ENV: 'production',
      PORT: String(oursPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      WORKER_ENABLED: 'false',
      BOOTSTRAP_API_KEY: API_KEY,
    }),
    ROOT,
  );
  const oursBase = `http://127.0.0.1:${oursPort}`;
  await waitForHttp(`${oursBase}/health/ready`, ours);

  const auth = { authorization: `Bearer ${API_KEY}` };
  const wf = diamond();
  await requestJson('POST', `${oursBase}/api/v3/workflows`, { headers: auth, body: wf, expect: [201] });
  const path = `/api/v3/workflows/${wf.id}/versions/${wf.version}`;
  const body = await requestJson<Record<string, unknown>>('GET', `${oursBase}${path}`, { headers: auth, expect: [200] });

  console.error('== starting the bare Fastify server');
  const tmp = mkdtempSync(join(tmpdir(), 'cos-bench-api-'));
  const bodyFile = join(tmp, 'body.json');
  writeFileSync(bodyFile, JSON.stringify(body));
  const barePort = await freePort();
  const bare = startChild(
    'bare',
    process.execPath,
    ['-r', 'ts-node/register', 'bench/api/bare-server.ts'],
    { ...process.env, NODE_ENV: 'production', PORT: String(barePort), HOST: '127.0.0.1', BARE_BODY_FILE: bodyFile },
    ROOT,
  );
  const bareBase = `http://127.0.0.1:${barePort}`;
  try {
    await waitForHttp(`${bareBase}${path}`, bare);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const bareBody = await requestJson('GET', `${bareBase}${path}`, { headers: auth });
  if (!isDeepStrictEqual(bareBody, body)) throw new Error('the bare server does not answer the same JSON as ours');

  console.error(`== load: one after the other (${JSON.stringify(settings)})`);
  const results: LoadResult[] = [];
  results.push(await measure('ours (Nest + auth + PostgreSQL)', `${oursBase}${path}`, auth, settings));
  results.push(await measure('bare Fastify (fixed JSON)', `${bareBase}${path}`, auth, settings));

  await Promise.all([ours.stop(), bare.stop()]);

  const [o, b] = results;
  const ratio = o.requestsPerSecond / b.requestsPerSecond;
  const fixed = (n: number, digits = 2) => n.toFixed(digits);
  const table = markdownTable(
    ['target', 'req/s (avg)', 'p50 (ms)', 'p99 (ms)', 'requests', 'non-2xx', 'ours/bare req/s'],
    [
      [o.target, fixed(o.requestsPerSecond, 0), fixed(o.latencyP50Ms), fixed(o.latencyP99Ms), o.totalRequests, o.non2xx + o.errors, fixed(ratio)],
      [b.target, fixed(b.requestsPerSecond, 0), fixed(b.latencyP50Ms), fixed(b.latencyP99Ms), b.totalRequests, b.non2xx + b.errors, '1.00'],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  console.log('\n## API: read one workflow version\n');
  console.log(`GET ${path}, ${settings.connections} connections, ${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up\n`);
  console.log(formatMachine(machine));
  console.log(`\n${table}\n`);
  console.log(`ratio ours/bare (req/s): ${fixed(ratio)} (target ≥ ${TARGET_RATIO})${ratio < TARGET_RATIO ? ' — BELOW TARGET' : ''}`);

  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'api.json');
  writeFileSync(
    outFile,
    `${JSON.stringify({ benchmark: 'api: read one workflow version', date: new Date().toISOString(), route: `GET ${path}`, settings, machine, results, ratio, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
  console.log(`written ${outFile}`);

  const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0 || r.ok2xx === 0);
  if (failed.length > 0) {
    throw new Error(failed.map((r) => `${r.target}: ${r.non2xx} non-2xx responses, ${r.errors} errors (${r.timeouts} timeouts), ${r.ok2xx} 2xx`).join('; '));
  }
}

main()
  .catch(async (error: Error) => {
    console.error(`\nbench:api FAILED: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
  });
