/**
 * API benchmark: read one workflow version (`GET /api/v3/workflows/{id}/versions/{v}`).
 *
 * Compares our server (Nest + Fastify + API-key auth + TypeORM/PostgreSQL, the built
 * `dist/src/main.js`) with a bare Fastify handler that answers the same JSON ("the limit"), one
 * after the other, with autocannon. Prints a markdown table and writes bench/results/api.json.
 *
 *   npm run bench:api                            # 3 s warm-up, then 10 s, 50 connections
 *   BENCH_DURATION=30 BENCH_CONNECTIONS=100 npm run bench:api
 *   BENCH_DIAGNOSTICS=1 npm run bench:api        # two more rows that split the gap (see below)
 *   BENCH_CPU_PROFILE=1 npm run bench:api        # also CPU-profile our server (bench/results/profiles/)
 *
 * Diagnostic rows: our server's `GET /health/live` (the Nest pipeline without auth, database or
 * domain code) and the bare server doing the same primary-key SELECT with plain `pg` before
 * answering (what one PostgreSQL round trip costs without Nest or TypeORM).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { analyse } from '../support/cpu-profile';
import { ownCpuSeconds, postgresBackendsCpuSeconds, processCpuSeconds } from '../support/cpu-usage';
import { requestJson, waitForHttp } from '../support/http';
import { CpuProbe, LoadResult, loadSettingsFromEnv, measure } from '../support/load';
import { formatMachine, machineInfo } from '../support/machine';
import { pgQuery, recreateDatabase } from '../support/postgres';
import { Child, freePort, runCommand, startChild, stopAll } from '../support/process';
import { markdownTable } from '../support/table';

const ROOT = resolve(__dirname, '..', '..');
const DB_NAME = 'cognition_os_bench';
/** Fixed key, created by the server at start (BOOTSTRAP_API_KEY) since the bench database has none. */
const API_KEY = 'cos_benchkey_bench-secret-0123456789abcdefghij';
const TARGET_RATIO = 0.5;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const OURS = 'ours (Nest + auth + PostgreSQL)';
const BARE = 'bare Fastify (fixed JSON)';

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

/** Environment for children: pointed at the bench database, never at DATABASE_URL. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // '' counts as unset for the app (validateEnv) and stops a .env file from filling it in.
  return { ...process.env, DATABASE_URL: '', DB_NAME, NODE_ENV: 'production', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000', ...extra };
}

async function startBare(name: string, bodyFile: string, extra: Record<string, string>, probePath: string): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const child = startChild(name, process.execPath, ['bench/api/bare-server.mjs'], childEnv({ PORT: String(port), BARE_BODY_FILE: bodyFile, ...extra }), ROOT);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}${probePath}`, child);
  return { child, base };
}

async function main(): Promise<void> {
  const settings = loadSettingsFromEnv();
  const diagnostics = !!process.env.BENCH_DIAGNOSTICS;
  const machine = await machineInfo();
  const loadBefore = loadavg()[0];
  if (loadBefore > 0.5) console.error(`warning: load average ${loadBefore.toFixed(2)}: other work on this machine skews the numbers`);

  console.error(`== database ${DB_NAME}: recreate and migrate`);
  await recreateDatabase(DB_NAME);
  await runCommand(NPM, ['run', '--silent', 'migration:run'], childEnv({ LOG_LEVEL: 'warn' }), ROOT, true);

  if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) {
    console.error('== dist/src/main.js missing: npm run build');
    await runCommand(NPM, ['run', 'build'], process.env, ROOT);
  }

  console.error('== starting our server');
  const oursPort = await freePort();
  const profileDir = process.env.BENCH_CPU_PROFILE ? join(ROOT, 'bench', 'results', 'profiles', `api-${Date.now()}`) : undefined;
  const profileArgs = profileDir ? ['-r', './bench/support/exit-on-signal.cjs', '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const ours = startChild(
    'ours',
    process.execPath,
    [...profileArgs, 'dist/src/main.js'],
    childEnv({ PORT: String(oursPort), LOG_LEVEL: 'warn', WORKER_ENABLED: 'false', BOOTSTRAP_API_KEY: API_KEY }),
    ROOT,
  );
  const oursBase = `http://127.0.0.1:${oursPort}`;
  await waitForHttp(`${oursBase}/health/ready`, ours);

  const auth = { authorization: `Bearer ${API_KEY}` };
  const wf = diamond();
  await requestJson('POST', `${oursBase}/api/v3/workflows`, { headers: auth, body: wf, expect: [201] });
  const path = `/api/v3/workflows/${wf.id}/versions/${wf.version}`;
  const body = await requestJson<Record<string, unknown>>('GET', `${oursBase}${path}`, { headers: auth, expect: [200] });

  const tmp = mkdtempSync(join(tmpdir(), 'cos-bench-api-'));
  try {
    const bodyFile = join(tmp, 'body.json');
    writeFileSync(bodyFile, JSON.stringify(body));
    console.error('== starting the bare Fastify server');
    const bare = await startBare('bare', bodyFile, {}, path);
    const bareBody = await requestJson('GET', `${bare.base}${path}`, { headers: auth });
    if (!isDeepStrictEqual(bareBody, body)) throw new Error('the bare server does not answer the same JSON as ours');

    console.error(`== load, one target after the other: ${JSON.stringify(settings)}`);
    const results: LoadResult[] = [];
    const cpuOf = (child: Child, withPostgres: boolean): Record<string, CpuProbe> => {
      const pid = child.process.pid!;
      const probes: Record<string, CpuProbe> = { server: () => processCpuSeconds(pid) };
      if (withPostgres) probes.postgres = () => postgresBackendsCpuSeconds(DB_NAME);
      return { ...probes, loadGenerator: ownCpuSeconds };
    };
    results.push(await measure(OURS, `${oursBase}${path}`, auth, settings, cpuOf(ours, true)));
    if (diagnostics) results.push(await measure('diagnostic: ours GET /health/live (no auth, no DB)', `${oursBase}/health/live`, auth, settings, cpuOf(ours, false)));
    await ours.stop(); // idle from here on, but out of the way (and its CPU profile gets written)
    results.push(await measure(BARE, `${bare.base}${path}`, auth, settings, cpuOf(bare.child, false)));
    await bare.child.stop();
    if (diagnostics) {
      const [row] = await pgQuery<{ tenant_id: string }>(`SELECT tenant_id FROM workflows WHERE workflow_id = '${wf.id}'`, DB_NAME);
      const barePg = await startBare('bare+pg', bodyFile, { BARE_PG_TENANT: row.tenant_id, DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '20' }, path);
      results.push(await measure('diagnostic: bare Fastify + one pg SELECT', `${barePg.base}${path}`, auth, settings, cpuOf(barePg.child, true)));
      await barePg.child.stop();
    }
    report(results, { path, settings, machine, loadBefore, profileDir });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface ReportContext {
  path: string;
  settings: ReturnType<typeof loadSettingsFromEnv>;
  machine: Awaited<ReturnType<typeof machineInfo>>;
  loadBefore: number;
  profileDir?: string;
}

function report(results: LoadResult[], ctx: ReportContext): void {
  const o = results.find((r) => r.target === OURS)!;
  const b = results.find((r) => r.target === BARE)!;
  const ratio = o.requestsPerSecond / b.requestsPerSecond;
  const fixed = (n: number, digits = 2) => n.toFixed(digits);
  const ms = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  const cpu = (r: LoadResult, name: string) => {
    const v = r.cpuMsPerRequest[name];
    return v === undefined || v === null ? '–' : v.toFixed(3);
  };
  const table = markdownTable(
    ['target', 'req/s (avg)', 'p50 (ms)', 'p99 (ms)', 'requests', 'non-2xx', 'server CPU ms/req', 'PG CPU ms/req', 'req/s vs bare'],
    results.map((r) => [
      r.target,
      fixed(r.requestsPerSecond, 0),
      ms(r.latencyP50Ms),
      ms(r.latencyP99Ms),
      r.totalRequests,
      r.non2xx + r.errors,
      cpu(r, 'server'),
      cpu(r, 'postgres'),
      fixed(r.requestsPerSecond / b.requestsPerSecond),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const { settings } = ctx;
  console.log('\n## API: read one workflow version\n');
  console.log(`GET ${ctx.path}, ${settings.connections} connections, ${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up, one target at a time\n`);
  console.log(formatMachine(ctx.machine));
  console.log(`- Load average before the run (1 min): ${ctx.loadBefore.toFixed(2)}`);
  console.log(`\n${table}\n`);
  console.log(`ratio ours/bare (req/s): ${fixed(ratio)} (target ≥ ${TARGET_RATIO})${ratio < TARGET_RATIO ? ' — BELOW TARGET' : ''}`);

  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'api.json');
  const json = {
    benchmark: 'api: read one workflow version',
    date: new Date().toISOString(),
    route: `GET ${ctx.path}`,
    settings,
    machine: ctx.machine,
    loadAverageBefore: ctx.loadBefore,
    results,
    ratio,
    targetRatio: TARGET_RATIO,
  };
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`written ${outFile}`);
  if (ctx.profileDir) printProfile(ctx.profileDir, o.windowUs);

  const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0 || r.ok2xx === 0);
  if (failed.length > 0) {
    throw new Error(failed.map((r) => `${r.target}: ${r.non2xx} non-2xx responses, ${r.errors} errors (${r.timeouts} timeouts), ${r.ok2xx} 2xx`).join('; '));
  }
}

/** Top functions of our server's CPU profile during its measured run (window), by self time. */
function printProfile(dir: string, window: { from: number; to: number }): void {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const file = join(dir, name);
    const { totalMs, functions } = analyse(JSON.parse(readFileSync(file, 'utf8')), window);
    const top = functions
      .filter((f) => f.selfMs > 0)
      .sort((x, y) => y.selfMs - x.selfMs)
      .slice(0, 20);
    console.log(`\n### our server during its measured run: top 20 by self time (${(totalMs / 1000).toFixed(1)} s sampled)\n${file}\n`);
    console.log(markdownTable(['self %', 'total %', 'function', 'where'], top.map((f) => [f.selfPct.toFixed(1), f.totalPct.toFixed(1), f.name, f.where]), ['r', 'r', 'l', 'l']));
    console.log(`\nfull report: npx ts-node bench/support/cpu-profile.ts ${file} 40 --window ${window.from}:${window.to}`);
  }
}

main()
  .catch((error: Error) => {
    console.error(`\nbench:api FAILED: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
