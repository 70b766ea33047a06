/**
 * Chaos test (issue 10): two API processes and a worker process over a private PostgreSQL cluster,
 * while the database is restarted twice and stopped for 15 s, the worker is SIGKILLed and an API
 * process SIGTERMed. Nothing restarts a process from outside except right after the script's own
 * kill; any other exit is reported. Prints a table and writes bench/results/chaos-<date>.json.
 *
 *   npm run chaos
 *   CHAOS_BUILD=0 npm run chaos            # use the existing dist/ (no `npm run build`)
 *   CHAOS_EXECUTIONS=100 CHAOS_STREAMS=10 npm run chaos
 *
 * Exit code 0 only when every check passes; 1 when a check fails; 2 when the run itself broke.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { markdownTable } from '../../bench/support/table';
import { PrivateCluster } from './cluster';
import { ReadyPoller } from './health';
import { formatListeners, ListenerSample, sampleListeners } from './listeners';
import { Instance, lastErrorLines, ProcessSet, Role } from './processes';
import { startSlowServer } from './slow-server';
import { Api, judgeStream, SseWatcher, StreamVerdict } from './sse';

const ROOT = resolve(__dirname, '..', '..');
const DATABASE = 'cognition_chaos';
const WORKFLOW_ID = 'chaos';

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, got "${raw}"`);
  return value;
}

const settings = {
  executions: num('CHAOS_EXECUTIONS', 300),
  streams: num('CHAOS_STREAMS', 30),
  /** The executions watched over SSE wait this long in their delay step (the others 1 s), so their streams stay open across faults. */
  streamPauseSeconds: num('CHAOS_STREAM_PAUSE', 25),
  /** Starts are spread evenly over this many seconds from the beginning of the scenario. */
  startWindowSeconds: num('CHAOS_START_WINDOW', 60),
  outageSeconds: num('CHAOS_OUTAGE', 15),
  /** After the last fault: how long to wait for every execution to end. */
  finishWaitSeconds: num('CHAOS_WAIT', 120),
  readyTargetSeconds: 5,
  leaseSeconds: 5,
  workerPollMs: 200,
  shutdownGraceSeconds: num('CHAOS_SHUTDOWN_GRACE', 15),
  build: !['0', 'false', 'no'].includes((process.env.CHAOS_BUILD ?? '1').toLowerCase()),
};

/** When each fault happens, in seconds after the scenario starts. */
const PLAN = {
  listenBefore: 0,
  pgRestart1: 12,
  killWorker: 24,
  pgRestart2: 34,
  termApi: 46,
  pgStop: 70,
};

// ── clock and log ─────────────────────────────────────────────────────────────────────────────────

const t0 = Date.now();
const since = () => Date.now() - t0;
const timeline: Array<{ at: number; event: string }> = [];
function log(event: string): void {
  timeline.push({ at: since(), event });
  console.error(`[${(since() / 1000).toFixed(1).padStart(6)} s] ${event}`);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const seconds = (ms: number | null | undefined) => (ms == null ? '—' : `${(ms / 1000).toFixed(1)} s`);

// ── state shared with the cleanup path ────────────────────────────────────────────────────────────

let cluster: PrivateCluster | undefined;
let processes: ProcessSet | undefined;
let runDir = '';

function cleanupSync(): void {
  processes?.killAllSync();
  cluster?.destroySync(runDir ? join(runDir, 'postgres.log') : undefined);
}

process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the processes and deleting the cluster`);
    cleanupSync();
    process.exit(130);
  });
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────────────

function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      writeFileSync(logFile, output);
      if (code === 0) resolvePromise();
      else reject(new Error(`\`${command} ${args.join(' ')}\` failed (${signal ?? `code ${code}`}); its output:\n${output.trim().split('\n').slice(-30).join('\n')}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

async function waitReady(url: string, instance: Instance, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && !instance.exit) {
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return true;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  return false;
}

interface HttpResult {
  status: number;
  body: any;
}

async function http(method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

/** The process logged that it received SIGTERM/SIGINT (or died by a signal) that the script did not send. */
function signalledFromOutside(i: Instance): boolean {
  if (i.intended || !i.exit) return false;
  if (i.exit.signal) return true;
  try {
    return /"msg":"(SIGTERM|SIGINT) received/.test(readFileSync(i.logFile, 'utf8'));
  } catch {
    return false;
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

// ── the run ───────────────────────────────────────────────────────────────────────────────────────

interface Start {
  n: number;
  key: string;
  api?: string;
  executionId?: string;
  attempts: number;
  startedAt?: number;
  error?: string;
}

interface Fault {
  kind: 'pg-restart' | 'pg-stop';
  from: number;
  to: number;
}

interface SigtermOutcome {
  role: Role;
  pid: number;
  sentAt: number;
  exitCode: number | null;
  exitSignal: string | null;
  secondsToExit: number | null;
  killedAfterTimeout: boolean;
  streamsOpenOnIt: number;
}

async function main(): Promise<number> {
  runDir = mkdtempSync(join(tmpdir(), 'cognition-chaos-'));
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir);
  log(`run directory ${runDir}`);

  // 1. Build once, then run a private copy of the build, so a rebuild by someone else meanwhile
  //    cannot change the processes under test (node_modules resolve through NODE_PATH). The copy is
  //    not named `dist`, so a `pkill -f dist/src/main.js` elsewhere on the machine misses it.
  if (settings.build) {
    log('npm run build');
    await runCommand('npm', ['run', 'build'], process.env, join(logDir, 'build.log'));
  }
  if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) throw new Error('dist/src/main.js missing: run `npm run build` (or leave CHAOS_BUILD unset)');
  const buildDir = join(runDir, 'app');
  cpSync(join(ROOT, 'dist'), buildDir, { recursive: true });

  // 2. The private cluster, migrated.
  const pgPort = await freePort();
  cluster = new PrivateCluster(pgPort);
  log(`initdb ${cluster.dataDir} (port ${pgPort})`);
  await cluster.init();
  await cluster.start();
  const postgresVersion = await cluster.version();
  await cluster.query(`CREATE DATABASE ${DATABASE}`);
  const dbEnv = { DB_HOST: '127.0.0.1', DB_PORT: String(pgPort), DB_NAME: DATABASE, DB_USER: 'postgres', DB_PASSWORD: '', DB_SSL: 'false' };
  log('npm run migration:run');
  const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG ?? 'C.UTF-8' };
  await runCommand('npm', ['run', 'migration:run'], { ...cleanEnv, ...dbEnv }, join(logDir, 'migrations.log'));

  // 3. The HTTP service the steps call, and the processes.
  const slowServer = await startSlowServer();
  const apiKey = `cos_chaos${randomBytes(2).toString('hex').slice(0, 3)}_${randomBytes(18).toString('base64url')}`;
  const ports: Record<'api-1' | 'api-2', number> = { 'api-1': await freePort(), 'api-2': await freePort() };
  const apiUrl = (role: 'api-1' | 'api-2') => `http://127.0.0.1:${ports[role]}`;
  const baseEnv: Record<string, string> = {
    ...(cleanEnv as Record<string, string>),
    NODE_PATH: join(ROOT, 'node_modules'),
    NODE_ENV: 'production',
    ...dbEnv,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WORKER_ENABLED: 'true',
    WORKER_CONCURRENCY: '10',
    WORKER_POLL_MS: String(settings.workerPollMs),
    LEASE_SECONDS: String(settings.leaseSeconds),
    SCHEDULER_ENABLED: 'true',
    HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
    // The scenario measures faults, not throttling: limits far above its load.
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '10000000',
    MODEL_PROVIDER: 'echo',
    EMBEDDING_PROVIDER: 'hashing',
    SHUTDOWN_GRACE_SECONDS: String(settings.shutdownGraceSeconds),
    BOOTSTRAP_API_KEY: apiKey,
  };
  const specs = {
    'api-1': { role: 'api-1' as const, script: 'src/main.js', env: { ...baseEnv, PORT: String(ports['api-1']) } },
    'api-2': { role: 'api-2' as const, script: 'src/main.js', env: { ...baseEnv, PORT: String(ports['api-2']) } },
    worker: { role: 'worker' as const, script: 'src/worker.js', env: { ...baseEnv, BOOTSTRAP_API_KEY: '' } },
  };
  const procs = new ProcessSet(buildDir, logDir, runDir, since);
  processes = procs;
  const pidLabels = () => new Map(procs.instances.filter((i) => !i.exit).map((i) => [i.pid, i.role] as [number, string]));

  const startApi = async (role: 'api-1' | 'api-2', ms = 60_000): Promise<Instance> => {
    const instance = procs.start(specs[role]);
    log(`${role} started (pid ${instance.pid}, port ${ports[role]})`);
    if (!(await waitReady(apiUrl(role), instance, ms))) log(`${role} (pid ${instance.pid}) not ready after ${ms / 1000} s${instance.exit ? ` (exited: ${JSON.stringify(instance.exit)})` : ''}`);
    else log(`${role} ready`);
    return instance;
  };
  const startWorker = async (): Promise<Instance> => {
    const instance = procs.start(specs.worker);
    log(`worker started (pid ${instance.pid})`);
    const until = Date.now() + 30_000;
    while (Date.now() < until && !instance.exit) {
      const s = await sampleListeners(cluster!, DATABASE, pidLabels(), since()).catch(() => undefined);
      if (s && (s.perRole.worker ?? 0) > 0) break;
      await sleep(250);
    }
    log(`worker ${instance.exit ? 'exited during start-up' : 'connected'}`);
    return instance;
  };

  const first = await startApi('api-1');
  if (first.exit || !(await waitReady(apiUrl('api-1'), first, 1000))) {
    throw new Error(`api-1 did not start; its log (${first.logFile}):\n${lastErrorLines(first.logFile, 10).join('\n')}`);
  }
  await Promise.all([startApi('api-2'), startWorker()]);

  // 4. The workflow: a call, three parallel branches (two slow calls and a transform), a join, a
  //    durable timer and a last transform. Every http_request goes to the local slow server.
  const call = (step: string, ms: number) => ({ url: `${slowServer.url}/slow`, query: { ms, step, n: '${{ inputs.n }}' }, timeoutMs: 10_000 });
  const workflow = {
    id: WORKFLOW_ID,
    name: 'chaos',
    version: '1.0.0',
    status: 'active',
    steps: [
      { id: 'fetch', type: 'http_request', params: call('fetch', 150) },
      { id: 'left', type: 'http_request', dependsOn: ['fetch'], params: call('left', 450) },
      { id: 'right', type: 'http_request', dependsOn: ['fetch'], params: call('right', 250) },
      { id: 'shape', type: 'transform', dependsOn: ['fetch'], params: { output: { n: '${{ inputs.n }}', body: '${{ steps.fetch.output.body }}' } } },
      { id: 'join', type: 'http_request', dependsOn: ['left', 'right', 'shape'], params: call('join', 100) },
      { id: 'pause', type: 'delay', dependsOn: ['join'], params: { seconds: '${{ inputs.pause }}' } },
      { id: 'done', type: 'transform', dependsOn: ['pause'], params: { output: { n: '${{ inputs.n }}', ok: true } } },
    ],
  };
  const created = await http('POST', `${apiUrl('api-1')}/api/v3/workflows`, apiKey, workflow);
  if (created.status !== 201) throw new Error(`creating the workflow: ${created.status} ${JSON.stringify(created.body)}`);
  log('workflow created');

  // 5. LISTEN connections before any fault, once the counts are stable.
  const listenerSeries: Array<{ label: string; sample: ListenerSample }> = [];
  const starts: Start[] = Array.from({ length: settings.executions }, (_, n) => ({ n, key: `chaos-${t0}-${n}`, attempts: 0 }));
  const stableListeners = async (label: string, minMs: number, maxMs: number): Promise<ListenerSample | undefined> => {
    const begin = Date.now();
    const samples: ListenerSample[] = [];
    while (Date.now() - begin < maxMs) {
      const s = await sampleListeners(cluster!, DATABASE, pidLabels(), since()).catch(() => undefined);
      if (s) samples.push(s);
      const last = samples.slice(-4).map((x) => JSON.stringify(x.perRole) + x.total);
      if (Date.now() - begin >= minMs && last.length === 4 && new Set(last).size === 1) break;
      await sleep(1000);
    }
    const result = samples[samples.length - 1];
    if (result) {
      listenerSeries.push({ label, sample: result });
      const startedSoFar = starts.filter((x) => x.executionId).length;
      log(`LISTEN connections ${label}: ${formatListeners(result)}; ${startedSoFar} executions started so far`);
    }
    return result;
  };
  const listenersBefore = await stableListeners('before the faults', 3000, 20_000);

  // 6. The scenario.
  const T0 = since();
  const at = async (s: number) => {
    const wait = T0 + s * 1000 - since();
    if (wait > 0) await sleep(wait);
  };
  log(`scenario starts: ${settings.executions} executions over ${settings.startWindowSeconds} s, ${settings.streams} SSE streams`);
  const ready = new ReadyPoller(since);
  ready.watch('api-1', apiUrl('api-1'));
  ready.watch('api-2', apiUrl('api-2'));

  const apis: Api[] = (['api-1', 'api-2'] as const).map((role) => ({ name: role, url: apiUrl(role) }));
  const pickApi = (previous: string | null): Api | null => {
    const live = apis.filter((a) => procs.running(a.name as Role));
    return live.find((a) => a.name !== previous) ?? live[0] ?? null;
  };

  const watchers: SseWatcher[] = [];
  const streamRuns: Promise<void>[] = [];
  const streamEvery = Math.max(1, Math.floor(settings.executions / Math.max(1, settings.streams)));
  const watched = (n: number) => settings.streams > 0 && n % streamEvery === 0;
  let scenarioEnd = Infinity;
  // Streams end with their execution, or are aborted once the wait for the executions is over.
  const streamDeadline = () => since() + 900_000;

  const startOne = async (s: Start): Promise<void> => {
    let api: Api | null = apis[s.n % 2];
    let backoff = 500;
    // A start is retried (same Idempotency-Key, so a lost answer cannot start it twice) until the
    // faults are over and a little more.
    while (since() < Math.min(scenarioEnd + 30_000, T0 + 600_000)) {
      if (!api || !procs.running(api.name as Role)) api = pickApi(api?.name ?? null);
      if (api) {
        s.attempts += 1;
        try {
          const res = await http('POST', `${api.url}/api/v3/workflows/${WORKFLOW_ID}/executions`, apiKey, { inputs: { n: s.n, pause: watched(s.n) ? settings.streamPauseSeconds : 1 } }, { 'idempotency-key': s.key });
          if (res.status >= 200 && res.status < 300 && typeof res.body?.id === 'string') {
            s.executionId = res.body.id;
            s.api = api.name;
            s.startedAt = since();
            s.error = undefined;
            if (watched(s.n) && watchers.length < settings.streams) {
              // Streams alternate between the API processes, whichever answered the start.
              const w = new SseWatcher(res.body.id, apiKey, since);
              const preferred = apis[watchers.length % 2];
              watchers.push(w);
              streamRuns.push(w.run(procs.running(preferred.name as Role) ? preferred : api, pickApi, streamDeadline()));
            }
            return;
          }
          s.error = `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`;
          if (res.status >= 400 && res.status < 500 && ![401, 408, 429].includes(res.status)) return;
        } catch (error) {
          const e = error as { name?: string; cause?: { code?: string }; message?: string };
          s.error = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message ?? String(error));
        }
      } else s.error = 'no API process running';
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 4000);
      api = pickApi(api?.name ?? null);
    }
  };
  const startRuns: Promise<void>[] = [];
  const starting = (async () => {
    for (const s of starts) {
      await at((s.n * settings.startWindowSeconds) / Math.max(1, settings.executions));
      startRuns.push(startOne(s));
    }
  })();

  const faults: Fault[] = [];
  let sigterm: SigtermOutcome | undefined;
  let workerKill: { pid: number; at: number } | { skipped: string } | undefined;
  let outage: { stoppedAt: number; startedAt: number } | undefined;
  const snapshot = (label: string) => stableListeners(label, 0, 1);

  const pgRestart = async (label: string) => {
    await snapshot(`before ${label}`);
    log(`${label}: pg_ctl restart -m fast`);
    const from = since();
    await cluster!.restart();
    faults.push({ kind: 'pg-restart', from, to: since() });
    log(`${label}: PostgreSQL is back`);
  };

  const chaos = (async () => {
    await at(PLAN.pgRestart1);
    await pgRestart('restart 1');

    await at(PLAN.killWorker);
    const worker = procs.running('worker');
    if (!worker) {
      workerKill = { skipped: 'the worker had already exited on its own' };
      log('worker not running (it exited on its own): not killed, not restarted');
    } else {
      log(`SIGKILL worker (pid ${worker.pid}) — intended; the script restarts it`);
      procs.signal(worker, 'SIGKILL');
      await worker.exited;
      workerKill = { pid: worker.pid, at: since() };
      await startWorker();
    }

    await at(PLAN.pgRestart2);
    await pgRestart('restart 2');

    await at(PLAN.termApi);
    const api2 = procs.running('api-2');
    if (!api2) log('api-2 not running (it exited on its own): not sent SIGTERM, not restarted');
    else {
      const open = watchers.filter((w) => !w.terminalSeen && w.segments.at(-1)?.api === 'api-2' && w.segments.at(-1)?.end === 'open').length;
      log(`SIGTERM api-2 (pid ${api2.pid}, ${open} SSE streams open on it) — intended; the script restarts it`);
      const sentAt = since();
      procs.signal(api2, 'SIGTERM');
      const bound = (settings.shutdownGraceSeconds + 10) * 1000;
      const exit = await Promise.race([api2.exited, sleep(bound).then(() => null)]);
      let killedAfterTimeout = false;
      if (!exit) {
        killedAfterTimeout = true;
        log(`api-2 still running ${bound / 1000} s after SIGTERM: SIGKILL`);
        procs.signal(api2, 'SIGKILL');
        api2.intended = { signal: 'SIGTERM', at: sentAt };
        await api2.exited;
      }
      const e = api2.exit!;
      sigterm = {
        role: 'api-2',
        pid: api2.pid,
        sentAt,
        exitCode: e.code,
        exitSignal: e.signal,
        secondsToExit: killedAfterTimeout ? null : (e.at - sentAt) / 1000,
        killedAfterTimeout,
        streamsOpenOnIt: open,
      };
      log(`api-2 exited: ${e.signal ?? `code ${e.code}`}${killedAfterTimeout ? ' (killed)' : ` after ${seconds(e.at - sentAt)}`}`);
      await startApi('api-2', 30_000);
    }

    await at(PLAN.pgStop);
    await snapshot('before the outage');
    log(`outage: pg_ctl stop -m fast, ${settings.outageSeconds} s`);
    const stoppedAt = since();
    await cluster!.stop();
    await sleep(settings.outageSeconds * 1000);
    await cluster!.start();
    const startedAt = since();
    outage = { stoppedAt, startedAt };
    faults.push({ kind: 'pg-stop', from: stoppedAt, to: startedAt });
    log('outage over: PostgreSQL is back');
  })();

  await chaos;
  scenarioEnd = since();

  // 7. After the outage: /health/ready recovery, then LISTEN connections once stable.
  const readyWait = Date.now() + 30_000;
  while (Date.now() < readyWait) {
    const live = (['api-1', 'api-2'] as const).filter((r) => procs.running(r));
    if (live.every((r) => ready.upAfter(r, outage!.startedAt) !== null)) break;
    await sleep(250);
  }
  const listenersAfter = await stableListeners('after the outage', 10_000, 40_000);

  await starting;
  await Promise.all(startRuns);
  log(`starts done: ${starts.filter((s) => s.executionId).length}/${starts.length} executions started`);

  // 8. Wait (bounded) for every started execution to end and every stream to finish.
  const ids = starts.map((s) => s.executionId).filter((id): id is string => !!id);
  const finishUntil = Date.now() + settings.finishWaitSeconds * 1000;
  let statusCounts: Record<string, number> = {};
  for (;;) {
    try {
      const rows = await cluster.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM workflow_executions WHERE id::text = ANY($1) GROUP BY status`, [ids], DATABASE);
      statusCounts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    } catch (error) {
      log(`reading execution statuses failed: ${(error as Error).message}`);
    }
    const open = ids.length - ['completed', 'failed', 'cancelled'].reduce((sum, s) => sum + (statusCounts[s] ?? 0), 0);
    const streamsOpen = watchers.filter((w) => !w.terminalSeen).length;
    if ((open === 0 && streamsOpen === 0) || Date.now() > finishUntil) break;
    await sleep(1000);
  }
  log(`executions: ${JSON.stringify(statusCounts)}`);
  await sleep(3500); // let the streams read past their terminal event
  for (const w of watchers) w.abort();
  await Promise.all(streamRuns);
  await ready.stop();

  // 9. Results from the database.
  const twice = await cluster.query<{ step: string; n: number }>(
    `SELECT payload->>'stepExecutionId' AS step, count(*)::int AS n FROM domain_events WHERE type = 'StepExecutionCompleted' GROUP BY 1 HAVING count(*) > 1`,
    [],
    DATABASE,
  );
  const [startedTwice] = await cluster.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT payload->>'stepExecutionId' FROM domain_events WHERE type = 'StepExecutionStarted' GROUP BY 1 HAVING count(*) > 1) x`,
    [],
    DATABASE,
  );
  const [allExecutions] = await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_executions`, [], DATABASE);
  const verdicts: StreamVerdict[] = [];
  const streamDetails: Array<Record<string, unknown>> = [];
  for (const w of watchers) {
    const outbox = await cluster.query<{ id: string; position: string; tx_id: string; type: string }>(
      `SELECT e.id::text AS id, e.position::text AS position, e.tx_id::text AS tx_id, e.type FROM domain_events e WHERE e.aggregate_id = $1 ORDER BY e.tx_id, e.position`,
      [w.executionId],
      DATABASE,
    );
    const verdict = judgeStream(w, outbox);
    verdicts.push(verdict);
    // For an inexact stream, what was received against what the outbox holds, to see what went wrong.
    streamDetails.push({ ...verdict, segments: w.segments, ...(verdict.exact ? {} : { receivedIds: w.ids, receivedTypes: w.types, outbox }) });
  }
  const repeatedCalls = [...slowServer.calls.values()].filter((n) => n > 1).length;

  // 10. Process exits, before the script stops the survivors.
  const windows = faults.map((f) => ({ from: f.from, to: f.to + 30_000 }));
  const exits = procs.instances.map((i) => {
    let kind: 'running at the end' | 'intended' | 'signal from outside the script' | 'caused by the database' | 'unexplained';
    if (!i.exit) kind = 'running at the end';
    else if (i.intended && i.exit.at >= i.intended.at) kind = 'intended';
    else if (signalledFromOutside(i)) kind = 'signal from outside the script';
    else if (windows.some((w) => i.exit!.at >= w.from && i.exit!.at <= w.to)) kind = 'caused by the database';
    else kind = 'unexplained';
    return {
      role: i.role,
      generation: i.generation,
      pid: i.pid,
      startedAt: i.startedAt / 1000,
      exitedAt: i.exit ? i.exit.at / 1000 : null,
      exit: i.exit ? (i.exit.signal ? i.exit.signal : `code ${i.exit.code}`) : null,
      kind,
      intended: i.intended?.signal ?? null,
      log: i.logFile,
      lastErrors: kind === 'running at the end' || kind === 'intended' ? [] : lastErrorLines(i.logFile),
    };
  });
  const unintended = exits.filter((e) => e.kind !== 'running at the end' && e.kind !== 'intended');
  await procs.stopAll();
  await slowServer.close();

  // 11. Verdict.
  const completed = statusCounts.completed ?? 0;
  const failed = statusCounts.failed ?? 0;
  const stuck = ids.length - completed - failed - (statusCounts.cancelled ?? 0);
  const notStarted = starts.length - ids.length;
  const roles = ['api-1', 'api-2', 'worker'];
  const listenEqual = !!listenersBefore && !!listenersAfter && listenersBefore.total > 0 && listenersBefore.total === listenersAfter.total && roles.every((r) => listenersBefore.perRole[r] === listenersAfter.perRole[r]);
  const outageWindow = outage ? { from: outage.stoppedAt + 1000, to: outage.startedAt } : null;
  const readyRows = (['api-1', 'api-2'] as const).map((role) => {
    const down = outageWindow ? ready.downDuring(role, outageWindow.from, outageWindow.to) : false;
    const up = outage ? ready.upAfter(role, outage.startedAt) : null;
    const flapped = outage && up !== null ? ready.lastDownAfter(role, outage.startedAt + up, Infinity) : null;
    return { role, down, upAfterMs: up, downAgainAfterMs: flapped, downDetails: outageWindow ? ready.detailsDuring(role, outageWindow.from, outageWindow.to) : {} };
  });
  const readyOk = readyRows.every((r) => r.down && r.upAfterMs !== null && r.upAfterMs <= settings.readyTargetSeconds * 1000 && r.downAgainAfterMs === null);
  const exactStreams = verdicts.filter((v) => v.exact).length;
  const sigtermOk = !!sigterm && !sigterm.killedAfterTimeout && sigterm.exitCode === 0;

  const checks: Array<[string, string, boolean]> = [
    [
      'process exits not intended by the script',
      `${unintended.length}${unintended.length ? ` (${unintended.map((e) => `${e.role}#${e.generation} ${e.exit} at ${e.exitedAt!.toFixed(1)} s, ${e.kind}`).join('; ')})` : ''}`,
      unintended.length === 0,
    ],
    [
      'intended kills',
      [
        workerKill && 'pid' in workerKill ? `worker SIGKILL (pid ${workerKill.pid}), restarted` : `worker SIGKILL skipped: ${workerKill && 'skipped' in workerKill ? workerKill.skipped : 'not reached'}`,
        sigterm
          ? `api-2 SIGTERM (pid ${sigterm.pid}): ${sigterm.killedAfterTimeout ? `did not exit within ${settings.shutdownGraceSeconds + 10} s, SIGKILLed` : `exit ${sigterm.exitSignal ?? `code ${sigterm.exitCode}`} after ${sigterm.secondsToExit!.toFixed(1)} s`}, ${sigterm.streamsOpenOnIt} streams open on it`
          : 'api-2 SIGTERM skipped (not running)',
      ].join('; '),
      sigtermOk,
    ],
    [
      'executions completed / failed / stuck',
      `${completed} / ${failed} / ${stuck} of ${settings.executions}${notStarted ? ` (${notStarted} never started: ${[...new Set(starts.filter((s) => !s.executionId).map((s) => s.error))].slice(0, 2).join('; ')})` : ''}${allExecutions.n !== ids.length ? ` (${allExecutions.n} executions in the database)` : ''}`,
      completed === settings.executions && allExecutions.n === settings.executions,
    ],
    ['steps completed twice (StepExecutionCompleted per step execution > 1)', `${twice.length}${startedTwice.n ? ` (step executions started more than once: ${startedTwice.n}; HTTP calls repeated: ${repeatedCalls})` : ''}`, twice.length === 0],
    [
      'LISTEN connections per process, before → after',
      roles.map((r) => `${r} ${listenersBefore?.perRole[r] ?? '?'} → ${listenersAfter?.perRole[r] ?? '?'}`).join(', ') +
        ` (total ${listenersBefore?.total ?? '?'} → ${listenersAfter?.total ?? '?'}${listenersBefore && listenersBefore.named < listenersBefore.total ? '; names without pid, attributed by client port' : ''})`,
      listenEqual,
    ],
    [
      `/health/ready down during the ${settings.outageSeconds} s outage, up after (target ≤ ${settings.readyTargetSeconds} s)`,
      readyRows.map((r) => `${r.role}: ${r.down ? 'down' : 'NOT down'}, up after ${seconds(r.upAfterMs)}${r.downAgainAfterMs !== null ? ' (then down again)' : ''}`).join('; '),
      readyOk,
    ],
    [
      'SSE streams exact / inexact',
      `${exactStreams} / ${verdicts.length - exactStreams}` +
        (verdicts.length - exactStreams ? ` (${Object.entries(countBy(verdicts.filter((v) => !v.exact).map((v) => v.category))).map(([k, n]) => `${n} ${k}`).join(', ')})` : '') +
        (verdicts.some((v) => !v.exact)
          ? ` (${[...new Set(verdicts.filter((v) => !v.exact).map((v) => v.reason))].slice(0, 3).join(' | ')}); reconnects ${verdicts.reduce((s, v) => s + v.reconnects, 0)}`
          : `; reconnects ${verdicts.reduce((s, v) => s + v.reconnects, 0)}`),
      verdicts.length === settings.streams && exactStreams === verdicts.length,
    ],
  ];
  const passed = checks.every(([, , ok]) => ok);

  console.log('\n## Chaos test\n');
  console.log(markdownTable(['check', 'result', 'ok'], checks.map(([name, result, ok]) => [name, result, ok ? 'yes' : 'NO'])));
  console.log('\n### Processes\n');
  console.log(
    markdownTable(
      ['process', 'pid', 'started', 'ended', 'exit', 'kind', 'last error lines'],
      exits.map((e) => [`${e.role}#${e.generation}`, e.pid, `${e.startedAt.toFixed(1)} s`, e.exitedAt == null ? '—' : `${e.exitedAt.toFixed(1)} s`, e.exit ?? '—', e.kind, e.lastErrors.join(' ⏎ ') || '—']),
    ),
  );
  console.log('\n### LISTEN connections over time\n');
  console.log(
    markdownTable(
      ['when', 'at', 'LISTEN per process', 'all connections per process'],
      listenerSeries.map((l) => [l.label, `${(l.sample.at / 1000).toFixed(1)} s`, formatListeners(l.sample), Object.entries(l.sample.connectionsPerRole).map(([r, n]) => `${r} ${n}`).join(', ') || '—']),
    ),
  );
  console.log('\n### Faults\n');
  console.log(markdownTable(['fault', 'from', 'PostgreSQL back at'], faults.map((f) => [f.kind, `${(f.from / 1000).toFixed(1)} s`, `${(f.to / 1000).toFixed(1)} s`])));
  console.log(`\n${passed ? 'PASS' : 'FAIL'} — logs in ${logDir}`);

  const machine = { os: `${type()} ${release()}`, cpu: `${cpus()[0]?.model.trim()} × ${cpus().length}`, memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10, node: process.version, postgres: postgresVersion, loadAverage: loadavg() };
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`);
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        benchmark: 'chaos',
        date: new Date().toISOString(),
        passed,
        settings: { ...settings, plan: PLAN },
        machine,
        runDir,
        checks: checks.map(([name, result, ok]) => ({ name, result, ok })),
        executions: { planned: settings.executions, started: ids.length, inDatabase: allExecutions.n, statuses: statusCounts, completed, failed, stuck, notStarted, startAttempts: starts.reduce((s, x) => s + x.attempts, 0) },
        stepsCompletedTwice: twice,
        stepExecutionsStartedMoreThanOnce: startedTwice.n,
        httpCallsRepeated: repeatedCalls,
        processes: exits,
        sigterm,
        workerKill,
        listeners: { before: listenersBefore, after: listenersAfter, series: listenerSeries },
        ready: readyRows,
        outage,
        faults,
        streams: streamDetails,
        timeline,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written ${outFile}`);
  return passed ? 0 : 1;
}

main()
  .then((code) => {
    cleanupSync();
    console.error(`cluster deleted; run directory kept: ${runDir}`);
    process.exit(code);
  })
  .catch((error: Error) => {
    console.error(`\nchaos run broke: ${error.stack ?? error.message}`);
    cleanupSync();
    process.exit(2);
  });
