/**
 * API benchmark: read one workflow version (`GET /api/v3/workflows/{id}/versions/{v}`, API key).
 *
 * Compares our server (the built `dist/src/main.js`: Nest + Fastify + API-key auth + PostgreSQL)
 * with its peer, "Fastify + the same SQL" (bench/api/bare-server.mjs, BARE_MODE=pg): bare Fastify
 * sending the very statement our read path sends (WorkflowReadModel's VERSION_STATEMENT, prepared
 * under the same name, on a pool of the same size) and answering the same JSON (checked deep-equal
 * with ours before the load). Both servers stay up; the load alternates in rounds (peer, ours; then
 * ours, peer; ...: the order turns by one target each round) and the table shows medians over the rounds. Prints
 * a markdown table and writes bench/results/api.json.
 *
 *   npm run bench:api                            # 3 rounds of 3 s warm-up + 10 s, 50 connections
 *   BENCH_QUICK=1 npm run bench:api              # 3 rounds of 1 s + 4 s (about a minute and a half)
 *   BENCH_API_JIT_WARMUP=0 npm run bench:api     # no JIT warm-up before the rounds (default 15 s of load per server)
 *   BENCH_ROUNDS=5 BENCH_DURATION=30 BENCH_CONNECTIONS=100 npm run bench:api
 *   BENCH_DIAGNOSTICS=1 npm run bench:api        # two more rows per round that split the gap (see below)
 *   BENCH_CPU_PROFILE=1 npm run bench:api        # also CPU-profile our server and the peer (bench/results/profiles/)
 *   BENCH_API_DB=name npm run bench:api          # the database (default cognition_os_bench_api; dropped and recreated)
 *   BENCH_API_BASELINE=<dir> npm run bench:api   # + a row for another build of ours (a checkout with dist/ built), e.g. main
 *                                                #   before a change: before/after in the same run
 *   BENCH_API_INSTRUCTIONS=1 npm run bench:api   # also instructions per request of each server under valgrind's callgrind
 *                                                #   (bench/api/instructions.ts: repeatable within ~1 %, unlike req/s here; ~5 min more)
 *
 * Diagnostic rows: our server's `GET /health/live` (the Nest pipeline without auth, database or
 * domain code) and bare Fastify answering the same JSON from memory (no database).
 */
import { VERSION_STATEMENT } from '@cognition/workflow/infrastructure/workflow-read-model';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { analyse } from '../support/cpu-profile';
import { InstructionTarget, callgrindAvailable, instructionSettingsFromEnv, instructionsPerRequest } from './instructions';
import { ownCpuSeconds, processCpuSeconds } from '../support/cpu-usage';
import { requestJson, waitForHttp } from '../support/http';
import { CpuProbe, LoadResult, loadSettingsFromEnv, measure, warmUp } from '../support/load';
import { formatMachine, machineInfo } from '../support/machine';
import { pgQuery, recreateDatabase } from '../support/postgres';
import { Child, freePort, runCommand, startChild, stopAll } from '../support/process';
import { markdownTable } from '../support/table';

const ROOT = resolve(__dirname, '..', '..');
const DB_NAME = process.env.BENCH_API_DB || 'cognition_os_bench_api';
/** Fixed key, created by the server at start (BOOTSTRAP_API_KEY) since the bench database has none. */
const API_KEY = 'cos_benchkey_bench-secret-0123456789abcdefghij';
const TARGET_RATIO = 0.7;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const QUICK = ['1', 'true', 'yes'].includes((process.env.BENCH_QUICK ?? '').toLowerCase());
const OURS = 'ours (Nest + auth + PostgreSQL)';
const PEER = 'peer: Fastify + the same SQL';
const HEALTH = 'diagnostic: ours GET /health/live (no auth, no DB)';
const FIXED = 'diagnostic: bare Fastify, same JSON from memory (no DB)';
const BASELINE = 'ours, baseline build (BENCH_API_BASELINE)';

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

/**
 * Node's flags for the servers: those of `npm start` (package.json), so ours runs as it is deployed;
 * the peer gets the same ones (a larger young generation helps any server that allocates per request).
 */
function startFlags(root = ROOT): string[] {
  const script: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const match = /^node\s+(.*?)\s*dist\/src\/main\.js$/.exec(script);
  if (!match) throw new Error(`package.json "start" is not "node [flags] dist/src/main.js": ${script}`);
  return match[1].split(/\s+/).filter(Boolean);
}

/** Environment for children: pointed at the bench database, never at DATABASE_URL. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // '' counts as unset for the app (validateEnv) and stops a .env file from filling it in.
  return { ...process.env, DATABASE_URL: '', DB_NAME, NODE_ENV: 'production', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000', ...extra };
}

async function startBare(name: string, extra: Record<string, string>, probePath: string, nodeArgs: string[] = []): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const child = startChild(name, process.execPath, [...startFlags(), ...nodeArgs, 'bench/api/bare-server.mjs'], childEnv({ PORT: String(port), ...extra }), ROOT);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}${probePath}`, child);
  return { child, base };
}

/** Load settings: BENCH_* env wins; BENCH_QUICK=1 shortens the defaults (1 s warm-up, 4 s measured). */
function settingsFromEnv(): ReturnType<typeof loadSettingsFromEnv> & { rounds: number; jitWarmupSeconds: number } {
  const settings = loadSettingsFromEnv();
  if (QUICK && !process.env.BENCH_WARMUP) settings.warmupSeconds = 1;
  if (QUICK && !process.env.BENCH_DURATION) settings.durationSeconds = 4;
  const rounds = Number(process.env.BENCH_ROUNDS || 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, got "${process.env.BENCH_ROUNDS}"`);
  const jitWarmupSeconds = Number(process.env.BENCH_API_JIT_WARMUP ?? 15);
  if (!Number.isFinite(jitWarmupSeconds) || jitWarmupSeconds < 0) throw new Error(`BENCH_API_JIT_WARMUP must be a number of seconds, got "${process.env.BENCH_API_JIT_WARMUP}"`);
  return { ...settings, rounds, jitWarmupSeconds };
}

/** CPU seconds of each PostgreSQL backend of `database`, by pid. */
function backendsCpu(database: string): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (title.startsWith('postgres: ') && title.split(' ').includes(database)) cpu.set(Number(pid), processCpuSeconds(Number(pid)) ?? 0);
    } catch {
      /* gone meanwhile */
    }
  }
  return cpu;
}

/**
 * PostgreSQL CPU during one measured run (measure() reads a probe once before and once after):
 * the growth of each backend alive at the end, so that the idle servers' pool connections closing
 * meanwhile (pg-pool's idle timeout) do not subtract their whole lifetime's CPU.
 */
function postgresProbe(database: string): CpuProbe {
  let before: Map<number, number> | undefined;
  return () => {
    const now = backendsCpu(database);
    if (!before) {
      before = now;
      return 0;
    }
    let grown = 0;
    for (const [pid, seconds] of now) grown += seconds - (before.get(pid) ?? 0);
    before = undefined;
    return grown;
  };
}

interface Target {
  name: string;
  url: string;
  cpu: Record<string, CpuProbe>;
}

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const diagnostics = !!process.env.BENCH_DIAGNOSTICS;
  const machine = await machineInfo();
  const loadBefore = loadavg()[0];
  if (loadBefore > 0.5) console.error(`warning: load average ${loadBefore.toFixed(2)}: other work on this machine skews req/s (CPU per request much less)`);

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
  const profileArgs = (target: string) => (profileDir ? ['-r', './bench/support/exit-on-signal.cjs', '--cpu-prof', `--cpu-prof-dir=${join(profileDir, target)}`] : []);
  const poolSize = process.env.DB_POOL_SIZE ?? '20';
  const ours = startChild(
    'ours',
    process.execPath,
    [...startFlags(), ...profileArgs('ours'), 'dist/src/main.js'],
    childEnv({ PORT: String(oursPort), LOG_LEVEL: 'warn', WORKER_ENABLED: 'false', BOOTSTRAP_API_KEY: API_KEY, DB_POOL_SIZE: poolSize }),
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
    console.error('== starting the peer (Fastify + the same SQL)');
    const [row] = await pgQuery<{ tenant_id: string }>(`SELECT tenant_id FROM workflows WHERE workflow_id = '${wf.id}'`, DB_NAME);
    const peer = await startBare('peer', { BARE_MODE: 'pg', BARE_PG_TENANT: row.tenant_id, BARE_SQL_NAME: VERSION_STATEMENT.name, BARE_SQL_TEXT: VERSION_STATEMENT.text, DB_POOL_SIZE: poolSize }, path, profileArgs('peer'));
    const peerBody = await requestJson('GET', `${peer.base}${path}`, { headers: auth, expect: [200] });
    if (!isDeepStrictEqual(peerBody, body)) throw new Error(`the peer does not answer the same JSON as ours:\nours ${JSON.stringify(body)}\npeer ${JSON.stringify(peerBody)}`);
    await requestJson('GET', `${peer.base}/api/v3/workflows/nope/versions/1.0.0`, { expect: [404] });

    const cpuOf = (child: Child, withPostgres: boolean): Record<string, CpuProbe> => {
      const pid = child.process.pid!;
      const probes: Record<string, CpuProbe> = { server: () => processCpuSeconds(pid) };
      if (withPostgres) probes.postgres = postgresProbe(DB_NAME);
      return { ...probes, loadGenerator: ownCpuSeconds };
    };
    const targets: Target[] = [
      { name: PEER, url: `${peer.base}${path}`, cpu: cpuOf(peer.child, true) },
      { name: OURS, url: `${oursBase}${path}`, cpu: cpuOf(ours, true) },
    ];
    const baselineDir = process.env.BENCH_API_BASELINE ? resolve(process.env.BENCH_API_BASELINE) : undefined;
    if (baselineDir) {
      // The same database and key; its own port. Started the way its own `npm start` starts it.
      const port = await freePort();
      const env = childEnv({ PORT: String(port), LOG_LEVEL: 'warn', WORKER_ENABLED: 'false', BOOTSTRAP_API_KEY: API_KEY, DB_POOL_SIZE: poolSize });
      const baseline = startChild('baseline', process.execPath, [...startFlags(baselineDir), 'dist/src/main.js'], env, baselineDir);
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, baseline);
      const baselineBody = await requestJson('GET', `http://127.0.0.1:${port}${path}`, { headers: auth, expect: [200] });
      if (!isDeepStrictEqual(baselineBody, body)) throw new Error('the baseline build does not answer the same JSON as ours');
      targets.push({ name: BASELINE, url: `http://127.0.0.1:${port}${path}`, cpu: cpuOf(baseline, true) });
    }
    let fixed: { child: Child; base: string } | undefined;
    if (diagnostics) {
      const bodyFile = join(tmp, 'body.json');
      writeFileSync(bodyFile, JSON.stringify(body));
      fixed = await startBare('fixed', { BARE_MODE: 'fixed', BARE_BODY_FILE: bodyFile }, path);
      targets.push({ name: HEALTH, url: `${oursBase}/health/live`, cpu: cpuOf(ours, false) }, { name: FIXED, url: `${fixed.base}${path}`, cpu: cpuOf(fixed.child, false) });
    }

    if (settings.jitWarmupSeconds > 0) {
      console.error(`== JIT warm-up: ${settings.jitWarmupSeconds} s of load per server, not measured`);
      for (const t of targets) await warmUp(t.name, t.url, auth, settings.jitWarmupSeconds, settings);
    }
    console.error(`== load in ${settings.rounds} rounds (${targets.map((t) => t.name).join(', ')}): ${JSON.stringify(settings)}`);
    const rounds: LoadResult[][] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const results: LoadResult[] = [];
      // The order turns by one target each round (A B C, B C A, C A B, …), so every target takes
      // every place in a round equally often over as many rounds as there are targets. Reversing
      // every other round instead kept the middle target in the middle: with a baseline row, ours was
      // always second, and the place alone moved a build's ratio by about 0.07 (docs/benchmarks.md,
      // "HTTP: the place a build takes in a round moved its ratio").
      for (const t of turned(targets, round - 1)) {
        process.stderr.write(`round ${round}/${settings.rounds} `);
        results.push(await measure(t.name, t.url, auth, settings, t.cpu));
      }
      rounds.push(results);
    }
    await ours.stop(); // its CPU profile gets written on exit
    await peer.child.stop();
    await fixed?.child.stop();
    report(rounds, { path, settings, machine, loadBefore, loadAfter: loadavg()[0], profileDir });
    if (process.env.BENCH_API_INSTRUCTIONS) {
      const peerEnv = { BARE_MODE: 'pg', BARE_PG_TENANT: row.tenant_id, BARE_SQL_NAME: VERSION_STATEMENT.name, BARE_SQL_TEXT: VERSION_STATEMENT.text, DB_POOL_SIZE: poolSize };
      const oursEnv = { LOG_LEVEL: 'warn', WORKER_ENABLED: 'false', BOOTSTRAP_API_KEY: API_KEY, DB_POOL_SIZE: poolSize };
      /** `ready`: a path that answers 2xx without the key once the server is up. */
      const target = async (name: string, cwd: string, script: string, env: Record<string, string>, ready: string): Promise<InstructionTarget> => {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        return { name, args: [...startFlags(cwd), script], env: childEnv({ PORT: String(port), ...env }), cwd, url: `${base}${path}`, readyUrl: `${base}${ready}`, headers: auth };
      };
      const targets = [await target(PEER, ROOT, 'bench/api/bare-server.mjs', peerEnv, path), await target(OURS, ROOT, 'dist/src/main.js', oursEnv, '/health/ready')];
      if (baselineDir) targets.push(await target(BASELINE, baselineDir, 'dist/src/main.js', oursEnv, '/health/ready'));
      await reportInstructions(targets);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface ReportContext {
  path: string;
  settings: ReturnType<typeof settingsFromEnv>;
  machine: Awaited<ReturnType<typeof machineInfo>>;
  loadBefore: number;
  loadAfter: number;
  profileDir?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `items` turned left by `by` places: the order of round `by + 1`. */
function turned<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** One target's rounds, summarised: medians of the per-round figures, sums of the counts. */
interface Row {
  target: string;
  requestsPerSecond: number;
  perRound: number[];
  latencyP50Ms: number;
  latencyP99Ms: number;
  totalRequests: number;
  failed: number;
  cpuMsPerRequest: Record<string, number | null>;
}

function summarise(rounds: LoadResult[][], target: string): Row {
  const runs = rounds.map((r) => r.find((x) => x.target === target)!);
  const cpu = (name: string) => {
    const values = runs.map((r) => r.cpuMsPerRequest[name]).filter((v): v is number => typeof v === 'number');
    return values.length ? median(values) : null;
  };
  return {
    target,
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    perRound: runs.map((r) => r.requestsPerSecond),
    latencyP50Ms: median(runs.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(runs.map((r) => r.latencyP99Ms)),
    totalRequests: runs.reduce((n, r) => n + r.totalRequests, 0),
    failed: runs.reduce((n, r) => n + r.non2xx + r.errors, 0),
    cpuMsPerRequest: { server: cpu('server'), postgres: cpu('postgres') },
  };
}

function report(rounds: LoadResult[][], ctx: ReportContext): void {
  const rows = rounds[0].map((r) => summarise(rounds, r.target));
  const peer = rows.find((r) => r.target === PEER)!;
  const ours = rows.find((r) => r.target === OURS)!;
  const ratio = ours.requestsPerSecond / peer.requestsPerSecond;
  const perRoundRatios = rounds.map((r) => r.find((x) => x.target === OURS)!.requestsPerSecond / r.find((x) => x.target === PEER)!.requestsPerSecond);
  const fixed = (n: number, digits = 2) => n.toFixed(digits);
  const ms = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  const cpu = (r: Row, name: string) => {
    const v = r.cpuMsPerRequest[name];
    return v === undefined || v === null ? '–' : v.toFixed(3);
  };
  const table = markdownTable(
    ['target', 'req/s (median)', 'req/s per round', 'p50 (ms)', 'p99 (ms)', 'requests', 'non-2xx', 'server CPU ms/req', 'PG CPU ms/req', 'req/s vs peer'],
    rows.map((r) => [
      r.target,
      fixed(r.requestsPerSecond, 0),
      r.perRound.map((v) => fixed(v, 0)).join(' / '),
      ms(r.latencyP50Ms),
      ms(r.latencyP99Ms),
      r.totalRequests,
      r.failed,
      cpu(r, 'server'),
      cpu(r, 'postgres'),
      fixed(r.requestsPerSecond / peer.requestsPerSecond),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const { settings } = ctx;
  console.log('\n## API: read one workflow version\n');
  console.log(
    `GET ${ctx.path} with an API key, ${settings.connections} connections, ${settings.jitWarmupSeconds ? `${settings.jitWarmupSeconds} s of JIT warm-up per server, then ` : ''}${settings.rounds} rounds of ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured per target, targets in turn (${rows.map((r) => r.target.split(':')[0].split(' (')[0]).join(', ')}; the order turned by one each round); medians over the rounds${QUICK ? ' (BENCH_QUICK)' : ''}\n`,
  );
  console.log(`- Date: ${new Date().toISOString()}`);
  console.log(formatMachine(ctx.machine));
  console.log(`- Node flags of both servers (those of npm start): ${startFlags().join(' ') || 'none'}`);
  console.log(`- Load average (1 min) before / after the run: ${ctx.loadBefore.toFixed(2)} / ${ctx.loadAfter.toFixed(2)}`);
  console.log(`\n${table}\n`);
  console.log(`ratio ours/peer (median req/s): ${fixed(ratio)}; per round ${perRoundRatios.map((r) => fixed(r)).join(' / ')} (target ≥ ${TARGET_RATIO})${ratio < TARGET_RATIO ? ' — BELOW TARGET' : ''}`);
  const oursCpu = ours.cpuMsPerRequest.server;
  const peerCpu = peer.cpuMsPerRequest.server;
  if (oursCpu && peerCpu) console.log(`server CPU per request ours/peer: ${fixed(oursCpu, 3)} / ${fixed(peerCpu, 3)} ms = ${fixed(oursCpu / peerCpu, 1)}×`);

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
    loadAverageAfter: ctx.loadAfter,
    rows,
    rounds,
    ratio,
    perRoundRatios,
    targetRatio: TARGET_RATIO,
  };
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`written ${outFile}`);
  const last = rounds[rounds.length - 1];
  if (ctx.profileDir) {
    printProfile('our server', join(ctx.profileDir, 'ours'), last.find((r) => r.target === OURS)!);
    printProfile('the peer', join(ctx.profileDir, 'peer'), last.find((r) => r.target === PEER)!);
  }

  const failed = rounds.flat().filter((r) => r.non2xx > 0 || r.errors > 0 || r.ok2xx === 0);
  if (failed.length > 0) {
    throw new Error(failed.map((r) => `${r.target}: ${r.non2xx} non-2xx responses, ${r.errors} errors (${r.timeouts} timeouts), ${r.ok2xx} 2xx`).join('; '));
  }
}

/** Instructions per request of each server under callgrind, one server at a time (bench/api/instructions.ts). */
async function reportInstructions(targets: InstructionTarget[]): Promise<void> {
  if (!(await callgrindAvailable())) throw new Error('BENCH_API_INSTRUCTIONS needs valgrind (callgrind and callgrind_control) on this machine');
  const settings = instructionSettingsFromEnv();
  const counts: { target: string; instructionsPerRequest: number }[] = [];
  for (const target of targets) {
    console.error(`== ${target.name}: under callgrind, ${settings.warmup} requests of warm-up, then ${settings.requests} counted`);
    counts.push({ target: target.name, instructionsPerRequest: await instructionsPerRequest(target, settings) });
  }
  const peer = counts.find((c) => c.target === PEER)!.instructionsPerRequest;
  console.log(`\n### Instructions per request (valgrind callgrind, user space; ${settings.warmup} requests of warm-up, ${settings.requests} counted, ${settings.connections} connections)\n`);
  console.log(markdownTable(['target', 'instructions / request', 'vs peer'], counts.map((c) => [c.target, c.instructionsPerRequest.toLocaleString('en-US'), `${(c.instructionsPerRequest / peer).toFixed(2)}×`]), ['l', 'r', 'r']));
  const outFile = join(ROOT, 'bench', 'results', 'api-instructions.json');
  writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), settings, counts }, null, 2)}\n`);
  console.log(`written ${outFile}`);
}

/** Top functions of a server's CPU profile during its last measured run (its window), by self time. */
function printProfile(label: string, dir: string, run: LoadResult): void {
  const window = run.windowUs;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const file = join(dir, name);
    const { totalMs, functions } = analyse(JSON.parse(readFileSync(file, 'utf8')), window);
    const top = functions
      .filter((f) => f.selfMs > 0)
      .sort((x, y) => y.selfMs - x.selfMs)
      .slice(0, 20);
    console.log(`\n### ${label} during its last measured run: top 20 by self time (${(totalMs / 1000).toFixed(1)} s sampled, ${run.totalRequests} requests)\n${file}\n`);
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
