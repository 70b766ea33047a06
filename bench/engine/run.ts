/**
 * Engine benchmark: our durable workflow engine against graphile-worker, pg-boss and DBOS, in one run, on
 * the same PostgreSQL, with the same worker concurrency. Every engine runs in this process, one at
 * a time, each (configuration × concurrency) in its own freshly created database
 * `cognition_os_bench_<engine>`. Scenarios (see engine-under-test.ts for the exact timing rules):
 *
 *   1. throughput: BENCH_JOBS single no-op jobs enqueued, then drained (worker start → last job
 *      durably completed) → jobs/s; BENCH_CHAINS chains of BENCH_CHAIN_LENGTH steps, each step
 *      enqueuing the next → steps/s;
 *   2. latency: BENCH_LATENCY_SAMPLES sequential starts after BENCH_LATENCY_WARMUP, start call →
 *      handler start, p50 / p99;
 *   3. one chain of BENCH_LONG_CHAIN steps end to end, BENCH_LONG_CHAIN_RUNS runs after a warm-up
 *      run, median.
 *
 * Prints markdown tables (ratios against the best peer and against ours, per concurrency) and
 * writes bench/results/engine.json.
 *
 *   npm run bench:engine
 *   BENCH_JOBS=2000 BENCH_CHAINS=200 BENCH_LATENCY_SAMPLES=200 BENCH_CONCURRENCY=10 npm run bench:engine
 *   BENCH_ENGINES=graphile-worker-batched,pg-boss-batch-100 npm run bench:engine
 *   BENCH_ROW_WRITES=1 npm run bench:engine   # + rows written / transactions / buffer blocks per step (slower: waits for stats)
 *
 * Two builds side by side (each from its own checkout, at the same time, so that whatever else
 * loads the machine loads both alike): BENCH_SHARED=1 skips the one-run-at-a-time lock, and
 * BENCH_DB_SUFFIX gives one of them databases of its own (docs/benchmarks.md, issue 16).
 */
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CpuSnapshot, CpuUse, cpuSnapshot, cpuUse, machineBusyCores } from './cpu';
import type { BenchDatabase, DrainResult, EngineEntry, EngineUnderTest, Timing } from './engine-under-test';
import { ENGINES } from './engines';
import { median, nowMs, percentile, sleep } from './measure';
import { installQueryCounter, queryCount, uncountedClient } from './query-counter';
import { formatMachine, machineInfo } from '../support/machine';
import { dropDatabase, pgAdminConfig, pgQuery, recreateDatabase, tolerateDropTerminations } from '../support/postgres';
import { markdownTable } from '../support/table';

const ROOT = resolve(__dirname, '..', '..');

// ── settings ──────────────────────────────────────────────────────────────────────────────────────

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function list(name: string, fallback: string): string[] {
  return (process.env[name] || fallback).split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * BENCH_QUICK=1: small sizes (5,000 jobs, 300 chains: graphile-worker drains chains at 150-600 steps/s here),
 * concurrency 10, ours (default and batched) + graphile-worker default and batched + DBOS, three interleaved
 * rounds: about 5 minutes.
 */
const QUICK = ['1', 'true', 'yes'].includes((process.env.BENCH_QUICK ?? '').toLowerCase());

const settings = {
  quick: QUICK,
  jobs: num('BENCH_JOBS', QUICK ? 5_000 : 20_000),
  chains: num('BENCH_CHAINS', QUICK ? 300 : 2_000),
  chainLength: num('BENCH_CHAIN_LENGTH', 10),
  /** Rounds: every engine once per round, peers first, then ours; the tables show each engine's median round. */
  rounds: num('BENCH_ROUNDS', QUICK ? 3 : 1),
  concurrency: list('BENCH_CONCURRENCY', QUICK ? '10' : '10,24').map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_CONCURRENCY: bad value "${c}"`);
    return n;
  }),
  latencySamples: num('BENCH_LATENCY_SAMPLES', QUICK ? 200 : 1_000),
  latencyWarmup: num('BENCH_LATENCY_WARMUP', 50),
  longChain: num('BENCH_LONG_CHAIN', 40),
  longChainRuns: num('BENCH_LONG_CHAIN_RUNS', 5),
  engines: list('BENCH_ENGINES', QUICK ? 'ours,ours-batched,graphile-worker-default,graphile-worker-batched,dbos' : ENGINES.map((e) => e.id).join(',')),
  rowWrites: ['1', 'true', 'yes'].includes((process.env.BENCH_ROW_WRITES ?? '').toLowerCase()),
  keepDatabases: ['1', 'true', 'yes'].includes((process.env.BENCH_KEEP_DB ?? '').toLowerCase()),
  /** A measurement during which other programs used more CPU than this (cores) is contended: retried. */
  foreignMaxCores: Number(process.env.BENCH_FOREIGN_MAX || 0.25),
  foreignMaxWrites: Number(process.env.BENCH_FOREIGN_WRITES || 100),
  retries: Number(process.env.BENCH_RETRIES ?? (QUICK ? 0 : 2)),
  /** Before each measurement, wait (up to BENCH_QUIET_WAIT seconds) until the machine is below this many busy cores. */
  quietCores: Number(process.env.BENCH_QUIET_CORES || 0.3),
  quietWaitSeconds: Number(process.env.BENCH_QUIET_WAIT ?? (QUICK ? 1 : 300)),
};

// ── measurements ──────────────────────────────────────────────────────────────────────────────────

interface WindowStats {
  ms: number;
  queries: number;
  /** CPU used during the window, in cores (1.0 = one core busy the whole time). */
  cpu: CpuUse;
}

class HarnessTiming implements Timing {
  private t0?: number;
  private t1?: number;
  private q0 = 0;
  private q1 = 0;
  private c0?: CpuSnapshot;
  private c1?: CpuSnapshot;

  constructor(private readonly database: string) {}

  start(): void {
    if (this.t0 !== undefined) throw new Error('timing.start() called twice');
    this.c0 = cpuSnapshot(this.database);
    this.q0 = queryCount();
    this.t0 = nowMs();
  }

  stop(): void {
    if (this.t0 === undefined) throw new Error('timing.stop() before timing.start()');
    if (this.t1 !== undefined) throw new Error('timing.stop() called twice');
    this.t1 = nowMs();
    this.q1 = queryCount();
    this.c1 = cpuSnapshot(this.database);
  }

  result(): WindowStats {
    if (this.t0 === undefined || this.t1 === undefined) throw new Error('the engine did not call timing.start() and timing.stop()');
    const ms = this.t1 - this.t0;
    return { ms, queries: this.q1 - this.q0, cpu: cpuUse(this.c0!, this.c1!, ms) };
  }
}

/** Waits until the rest of the machine is quiet (other benchmarks or builds running). */
async function waitForQuiet(): Promise<void> {
  const deadline = Date.now() + settings.quietWaitSeconds * 1000;
  let busy = await machineBusyCores(500);
  if (busy <= settings.quietCores) return;
  log(`   waiting for the machine to be quiet (${busy.toFixed(2)} cores busy)…`);
  while (Date.now() < deadline) {
    busy = await machineBusyCores(1000);
    if (busy <= settings.quietCores) return;
  }
  log(`   still ${busy.toFixed(2)} cores busy after ${settings.quietWaitSeconds} s: measuring anyway`);
}

/** Rows written so far by the cluster's other databases: they share the WAL and its fsyncs with ours. */
async function foreignRowWrites(ours: string): Promise<{ at: number; rows: number }> {
  const [row] = await pgQuery<{ rows: string }>(
    `select coalesce(sum(tup_inserted + tup_updated + tup_deleted), 0) as rows from pg_stat_database where datname is not null and datname <> '${ours}'`,
  );
  return { at: nowMs(), rows: Number(row.rows) };
}

interface Contention {
  attempts: number;
  /** Even the least contended attempt was contended: the numbers are too low / too slow. */
  contended: boolean;
  /** Rows/s written by other databases meanwhile (from pg_stat_database, which lags by up to a second or so). */
  foreignWritesPerSecond: number;
}

/**
 * Runs a measurement after waiting for a quiet machine; if other programs used more than
 * BENCH_FOREIGN_MAX cores, or other databases wrote more than BENCH_FOREIGN_WRITES rows/s
 * (WAL fsyncs are shared), runs it again (BENCH_RETRIES times) and keeps the least contended attempt.
 */
async function leastContended<T extends { cpu: CpuUse }>(database: string, what: string, measure: () => Promise<T>): Promise<T & Contention> {
  let best: (T & { foreignWritesPerSecond: number }) | undefined;
  let attempts = 0;
  const isContended = (r: { cpu: CpuUse; foreignWritesPerSecond: number }) =>
    r.cpu.foreign > settings.foreignMaxCores || r.foreignWritesPerSecond > settings.foreignMaxWrites;
  const badness = (r: { cpu: CpuUse; foreignWritesPerSecond: number }) => r.cpu.foreign / settings.foreignMaxCores + r.foreignWritesPerSecond / settings.foreignMaxWrites;
  for (let i = 0; i <= settings.retries; i++) {
    await waitForQuiet();
    const w0 = await foreignRowWrites(database);
    const measured = await measure();
    const w1 = await foreignRowWrites(database);
    // Clamped: a database dropped meanwhile takes its counters with it.
    const r = { ...measured, foreignWritesPerSecond: Math.max(0, ((w1.rows - w0.rows) / (w1.at - w0.at)) * 1000) };
    attempts++;
    if (!best || badness(r) < badness(best)) best = r;
    if (!isContended(r)) break;
    log(
      `   ${what}: other programs used ${r.cpu.foreign.toFixed(2)} cores and other databases wrote ${r.foreignWritesPerSecond.toFixed(0)} rows/s meanwhile${i < settings.retries ? ': again' : ''}`,
    );
  }
  return { ...best!, attempts, contended: isContended(best!) };
}

interface DbCounters {
  xact: number;
  inserted: number;
  updated: number;
  deleted: number;
  blocks: number;
}

/** Cumulative counters of one database. Backends report them lazily (up to ~10 s when idle): settle first. */
async function dbCounters(db: string): Promise<DbCounters> {
  const [row] = await pgQuery<{ xact: string; inserted: string; updated: string; deleted: string; blocks: string }>(
    `select xact_commit + xact_rollback as xact, tup_inserted as inserted, tup_updated as updated, tup_deleted as deleted, blks_hit + blks_read as blocks from pg_stat_database where datname = '${db}'`,
  );
  return { xact: Number(row.xact), inserted: Number(row.inserted), updated: Number(row.updated), deleted: Number(row.deleted), blocks: Number(row.blocks) };
}

const STATS_SETTLE_MS = 11_000;

interface DrainRow {
  steps: number;
  expected: number;
  seconds: number;
  perSecond: number;
  queriesPerStep: number;
  cpu: CpuUse;
  /** Measurements made (more than 1: earlier ones were contended by other programs). */
  attempts: number;
  /** Even the best attempt was contended: the numbers are too low. */
  contended: boolean;
  foreignWritesPerSecond?: number;
  /** BENCH_ROW_WRITES=1: enqueue + run, per step, from pg_stat_database. */
  rowWritesPerStep?: number;
  transactionsPerStep?: number;
  /** BENCH_ROW_WRITES=1: shared buffers read or hit per step (pg_stat_database), a measure of PostgreSQL's work that other programs do not disturb. */
  blocksPerStep?: number;
  details?: Record<string, number>;
}

interface EngineRow {
  engine: string;
  name: string;
  family: string;
  ours: boolean;
  version: string;
  settings: string;
  concurrency: number;
  database: string;
  throughput?: DrainRow;
  chains?: DrainRow & { chains: number; length: number };
  latency?: { samples: number; warmup: number; p50Ms: number; p99Ms: number; meanMs: number; maxMs: number; cpu: CpuUse } & Contention;
  longChain?: {
    length: number;
    runsMs: number[];
    warmupMs: number;
    medianMs: number;
    minMs: number;
    msPerStep: number;
    queriesPerStep: number;
    cpu: CpuUse;
  } & Contention;
  errors: string[];
  /** Which round this row was measured in (1-based); a median row has none. */
  round?: number;
  /** Median rows: each measure's value in every round, in round order. */
  perRound?: { throughput: number[]; chains: number[]; latencyP50: number[]; longChain: number[] };
}

/** The round whose value is the median (the lower middle one of an even count); its whole sub-row is kept, so CPU and queries match the value. */
function medianOf<T>(items: T[], value: (t: T) => number | undefined): T | undefined {
  const present = items.filter((t) => value(t) !== undefined).sort((a, b) => value(a)! - value(b)!);
  return present.length ? present[Math.floor((present.length - 1) / 2)] : undefined;
}

/** One row per engine and concurrency: each measure taken from the round with its median value. */
function medianRow(rounds: EngineRow[]): EngineRow {
  if (rounds.length === 1) return rounds[0];
  const [first] = rounds;
  const values = (pick: (r: EngineRow) => number | undefined) => rounds.map(pick).filter((v): v is number => v !== undefined);
  return {
    ...first,
    round: undefined,
    throughput: medianOf(rounds, (r) => r.throughput?.perSecond)?.throughput,
    chains: medianOf(rounds, (r) => r.chains?.perSecond)?.chains,
    latency: medianOf(rounds, (r) => r.latency?.p50Ms)?.latency,
    longChain: medianOf(rounds, (r) => r.longChain?.medianMs)?.longChain,
    errors: rounds.flatMap((r) => r.errors.map((e) => `round ${r.round}: ${e}`)),
    perRound: {
      throughput: values((r) => r.throughput?.perSecond),
      chains: values((r) => r.chains?.perSecond),
      latencyP50: values((r) => r.latency?.p50Ms),
      longChain: values((r) => r.longChain?.medianMs),
    },
  };
}

async function measureDrain(dbName: string, expected: number, run: (timing: Timing) => Promise<DrainResult>): Promise<DrainRow> {
  let before: DbCounters | undefined;
  if (settings.rowWrites) {
    await sleep(STATS_SETTLE_MS);
    before = await dbCounters(dbName);
  }
  const timing = new HarnessTiming(dbName);
  const result = await run(timing);
  const w = timing.result();
  const row: DrainRow = {
    steps: result.steps,
    expected,
    seconds: w.ms / 1000,
    perSecond: (result.steps / w.ms) * 1000,
    queriesPerStep: w.queries / result.steps,
    cpu: w.cpu,
    attempts: 1,
    contended: false,
    details: result.details,
  };
  if (before) {
    await sleep(STATS_SETTLE_MS);
    const after = await dbCounters(dbName);
    row.rowWritesPerStep = (after.inserted - before.inserted + after.updated - before.updated + after.deleted - before.deleted) / result.steps;
    row.transactionsPerStep = (after.xact - before.xact) / result.steps;
    row.blocksPerStep = (after.blocks - before.blocks) / result.steps;
  }
  return row;
}

function benchDatabase(name: string): BenchDatabase {
  const c = pgAdminConfig(name);
  const host = String(c.host);
  const port = Number(c.port);
  const user = String(c.user);
  const password = typeof c.password === 'string' ? c.password : '';
  const auth = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
  return {
    name,
    connectionString: `postgres://${auth}@${host}:${port}/${name}`,
    config: { host, port, user, password, database: name },
  };
}

const log = (message: string) => process.stderr.write(`${message}\n`);

async function runEngine(entry: EngineEntry, concurrency: number): Promise<EngineRow> {
  const dbName = `cognition_os_bench_${entry.database}${process.env.BENCH_DB_SUFFIX ?? ''}`;
  await recreateDatabase(dbName);
  const db = benchDatabase(dbName);
  const engine: EngineUnderTest = entry.create();
  const row: EngineRow = {
    engine: entry.id,
    name: engine.name,
    family: entry.family,
    ours: Boolean(entry.ours),
    version: engine.version,
    settings: engine.settings,
    concurrency,
    database: dbName,
    errors: [],
  };
  const step = async (what: string, fn: () => Promise<string | void>) => {
    const t0 = nowMs();
    try {
      const summary = await fn();
      log(`   ${what}: ${((nowMs() - t0) / 1000).toFixed(1)} s${summary ? ` → ${summary}` : ''}`);
    } catch (error) {
      const message = `${what}: ${(error as Error).stack ?? error}`;
      row.errors.push(message);
      log(`   FAILED ${message}`);
    }
  };
  const flagged = (r: { attempts: number; contended: boolean }) => `${r.attempts > 1 ? ` (${r.attempts} attempts)` : ''}${r.contended ? ' CONTENDED' : ''}`;
  log(`== ${engine.name}, concurrency ${concurrency} (database ${dbName})`);
  try {
    await step('setup', () => engine.setup({ db, concurrency }));
    if (row.errors.length > 0) return row;
    await step(`throughput (${settings.jobs} jobs)`, async () => {
      const r = await leastContended(dbName, 'throughput', () => measureDrain(dbName, settings.jobs, (t) => engine.throughput(settings.jobs, t)));
      row.throughput = r;
      return `${r.perSecond.toFixed(0)} jobs/s${flagged(r)}`;
    });
    const steps = settings.chains * settings.chainLength;
    await step(`chains (${settings.chains} × ${settings.chainLength})`, async () => {
      const r = await leastContended(dbName, 'chains', () => measureDrain(dbName, steps, (t) => engine.chains(settings.chains, settings.chainLength, t)));
      row.chains = { ...r, chains: settings.chains, length: settings.chainLength };
      return `${r.perSecond.toFixed(0)} steps/s${flagged(r)}`;
    });
    await step(`latency (${settings.latencySamples} after ${settings.latencyWarmup})`, async () => {
      const r = await leastContended(dbName, 'latency', async () => {
        const c0 = cpuSnapshot(dbName);
        const t0 = nowMs();
        const { samplesMs } = await engine.latency(settings.latencySamples, settings.latencyWarmup);
        const cpu = cpuUse(c0, cpuSnapshot(dbName), nowMs() - t0);
        if (samplesMs.length !== settings.latencySamples) throw new Error(`expected ${settings.latencySamples} samples, got ${samplesMs.length}`);
        return { samplesMs, cpu };
      });
      const { samplesMs } = r;
      row.latency = {
        samples: samplesMs.length,
        warmup: settings.latencyWarmup,
        p50Ms: percentile(samplesMs, 50),
        p99Ms: percentile(samplesMs, 99),
        meanMs: samplesMs.reduce((x, y) => x + y, 0) / samplesMs.length,
        maxMs: Math.max(...samplesMs),
        cpu: r.cpu,
        attempts: r.attempts,
        contended: r.contended,
        foreignWritesPerSecond: r.foreignWritesPerSecond,
      };
      return `p50 ${row.latency.p50Ms.toFixed(2)} ms, p99 ${row.latency.p99Ms.toFixed(2)} ms${flagged(r)}`;
    });
    await step(`${settings.longChain}-step chain × ${settings.longChainRuns} (+1 warm-up)`, async () => {
      const r = await leastContended(dbName, 'long chain', async () => {
        const runs: WindowStats[] = [];
        const c0 = cpuSnapshot(dbName);
        const t0 = nowMs();
        for (let i = 0; i <= settings.longChainRuns; i++) {
          const timing = new HarnessTiming(dbName);
          const { steps: done } = await engine.chain(settings.longChain, timing);
          if (done !== settings.longChain) throw new Error(`chain run ${i}: ${done} steps completed, expected ${settings.longChain}`);
          runs.push(timing.result());
        }
        return { runs, cpu: cpuUse(c0, cpuSnapshot(dbName), nowMs() - t0) };
      });
      const [warm, ...measured] = r.runs;
      const ms = measured.map((w) => w.ms);
      row.longChain = {
        length: settings.longChain,
        runsMs: ms,
        warmupMs: warm.ms,
        medianMs: median(ms),
        minMs: Math.min(...ms),
        msPerStep: median(ms) / settings.longChain,
        queriesPerStep: measured.reduce((x, w) => x + w.queries, 0) / (measured.length * settings.longChain),
        cpu: r.cpu,
        attempts: r.attempts,
        contended: r.contended,
        foreignWritesPerSecond: r.foreignWritesPerSecond,
      };
      return `median ${row.longChain.medianMs.toFixed(1)} ms${flagged(r)}`;
    });
  } finally {
    await step('teardown', () => engine.teardown());
    if (!settings.keepDatabases) await dropDatabase(dbName).catch(() => undefined);
  }
  for (const [what, r] of [['throughput', row.throughput], ['chains', row.chains]] as const) {
    if (r && r.steps !== r.expected) row.errors.push(`${what}: ${r.steps} steps completed, expected ${r.expected}`);
  }
  return row;
}

// ── tables ────────────────────────────────────────────────────────────────────────────────────────

const f = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const ratio = (value: number | undefined, reference: number | undefined) =>
  value === undefined || reference === undefined || !reference ? '–' : `${(value / reference).toFixed(2)}×`;

interface Metric {
  title: string;
  note: string;
  unit: string;
  higherIsBetter: boolean;
  digits: number;
  value: (r: EngineRow) => number | undefined;
  /** Measured while other programs used the CPU (even after retries): marked with `!`. */
  contended: (r: EngineRow) => boolean | undefined;
  extra: Array<{ header: string; cell: (r: EngineRow) => string }>;
}

function metricTable(rows: EngineRow[], m: Metric): string {
  const ordered = [...rows].sort((a, b) => a.concurrency - b.concurrency);
  const best = new Map<number, number>();
  const ours = new Map<number, number>();
  for (const r of ordered) {
    const v = m.value(r);
    if (v === undefined) continue;
    if (r.ours) {
      if (!ours.has(r.concurrency)) ours.set(r.concurrency, v);
      continue;
    }
    const b = best.get(r.concurrency);
    if (b === undefined || (m.higherIsBetter ? v > b : v < b)) best.set(r.concurrency, v);
  }
  const anyOurs = ours.size > 0;
  const headers = ['engine', 'concurrency', m.unit, ...m.extra.map((e) => e.header), 'vs best peer', ...(anyOurs ? ['vs ours'] : [])];
  const body = ordered.map((r) => {
    const v = m.value(r);
    return [
      r.name,
      r.concurrency,
      `${m.contended(r) ? '! ' : ''}${f(v, m.digits)}`,
      ...m.extra.map((e) => e.cell(r)),
      ratio(v, best.get(r.concurrency)),
      ...(anyOurs ? [ratio(v, ours.get(r.concurrency))] : []),
    ];
  });
  const align = headers.map((_, i) => (i === 0 ? 'l' : 'r')) as Array<'l' | 'r'>;
  const marked = ordered.some((r) => m.contended(r));
  const legend = marked ? `\n\n! = contended even after ${settings.retries} retries (other programs used more than ${settings.foreignMaxCores} cores, or other databases wrote more than ${settings.foreignMaxWrites} rows/s, during the measurement): too low / too slow.` : '';
  return `### ${m.title}\n\n${m.note}\n\n${markdownTable(headers, body, align)}${legend}`;
}

function tables(rows: EngineRow[]): string {
  const cpu = (d?: DrainRow) => (d ? `${d.cpu.node.toFixed(2)} / ${d.cpu.postgres.toFixed(2)} / ${d.cpu.foreign.toFixed(2)}` : '–');
  // CPU time per step (this process + PostgreSQL), robust to load where throughput is not.
  const cpuPerStep = (d?: DrainRow) => (d ? `${f((d.cpu.node * d.seconds * 1000) / d.steps, 3)} / ${f((d.cpu.postgres * d.seconds * 1000) / d.steps, 3)}` : '–');
  const rounds = (pick: (r: EngineRow) => number[] | undefined, digits: number) =>
    settings.rounds > 1 ? [{ header: 'rounds', cell: (r: EngineRow) => (pick(r) ?? []).map((v) => f(v, digits)).join(' / ') }] : [];
  const writes = settings.rowWrites
    ? [
        { header: 'row writes/step', cell: (d?: DrainRow) => f(d?.rowWritesPerStep, 2) },
        { header: 'blocks/step', cell: (d?: DrainRow) => f(d?.blocksPerStep, 1) },
        { header: 'xacts/step', cell: (d?: DrainRow) => f(d?.transactionsPerStep, 2) },
      ]
    : [];
  const better = (higher: boolean) =>
    higher ? 'Ratios: value ÷ reference at the same concurrency (above 1× = faster).' : 'Ratios: value ÷ reference at the same concurrency (below 1× = faster).';
  const cpuNote = 'CPU in cores during the timed window (2.00 = both cores busy the whole time): this process / PostgreSQL (this database\'s backends + background) / other programs. Queries: client round trips per step, enqueue excluded (chains: next-step enqueues included).';
  return [
    metricTable(rows, {
      title: `Throughput: ${settings.jobs.toLocaleString('en-US')} single no-op jobs, enqueued then drained`,
      note: `Worker start → last job durably completed. ${better(true)} ${cpuNote}`,
      unit: 'jobs/s',
      higherIsBetter: true,
      digits: 0,
      value: (r) => r.throughput?.perSecond,
      contended: (r) => r.throughput?.contended,
      extra: [
        { header: 'seconds', cell: (r) => f(r.throughput?.seconds, 2) },
        { header: 'queries/step', cell: (r) => f(r.throughput?.queriesPerStep, 2) },
        { header: 'CPU node / pg / other', cell: (r) => cpu(r.throughput) },
        { header: 'CPU ms/step node / pg', cell: (r) => cpuPerStep(r.throughput) },
        ...rounds((r) => r.perRound?.throughput, 0),
        ...writes.map((w) => ({ header: w.header, cell: (r: EngineRow) => w.cell(r.throughput) })),
      ],
    }),
    metricTable(rows, {
      title: `Throughput: ${settings.chains.toLocaleString('en-US')} chains of ${settings.chainLength} steps (${(settings.chains * settings.chainLength).toLocaleString('en-US')} steps)`,
      note: `Each step, when done, starts the next one of its chain. Worker start → last step durably completed. ${better(true)}`,
      unit: 'steps/s',
      higherIsBetter: true,
      digits: 0,
      value: (r) => r.chains?.perSecond,
      contended: (r) => r.chains?.contended,
      extra: [
        { header: 'seconds', cell: (r) => f(r.chains?.seconds, 2) },
        { header: 'queries/step', cell: (r) => f(r.chains?.queriesPerStep, 2) },
        { header: 'CPU node / pg / other', cell: (r) => cpu(r.chains) },
        { header: 'CPU ms/step node / pg', cell: (r) => cpuPerStep(r.chains) },
        ...rounds((r) => r.perRound?.chains, 0),
        ...writes.map((w) => ({ header: w.header, cell: (r: EngineRow) => w.cell(r.chains) })),
      ],
    }),
    metricTable(rows, {
      title: `Latency: start call → handler start, ${settings.latencySamples.toLocaleString('en-US')} sequential starts after ${settings.latencyWarmup} warm-up`,
      note: `p50 and its ratios; p99 beside it. ${better(false)}`,
      unit: 'p50 ms',
      higherIsBetter: false,
      digits: 2,
      value: (r) => r.latency?.p50Ms,
      contended: (r) => r.latency?.contended,
      extra: [
        { header: 'p99 ms', cell: (r) => f(r.latency?.p99Ms, 2) },
        { header: 'mean ms', cell: (r) => f(r.latency?.meanMs, 2) },
        ...rounds((r) => r.perRound?.latencyP50, 2),
      ],
    }),
    metricTable(rows, {
      title: `A ${settings.longChain}-step chain end to end`,
      note: `Start call → last step durably completed; median of ${settings.longChainRuns} runs after a warm-up run. ${better(false)}`,
      unit: 'median ms',
      higherIsBetter: false,
      digits: 1,
      value: (r) => r.longChain?.medianMs,
      contended: (r) => r.longChain?.contended,
      extra: [
        { header: 'min ms', cell: (r) => f(r.longChain?.minMs, 1) },
        { header: 'ms/step', cell: (r) => f(r.longChain?.msPerStep, 2) },
        { header: 'queries/step', cell: (r) => f(r.longChain?.queriesPerStep, 2) },
        ...rounds((r) => r.perRound?.longChain, 1),
      ],
    }),
  ].join('\n\n');
}

/** The issue's targets for ours, checked per concurrency (only when ours ran). */
function targetChecks(rows: EngineRow[]): string[] {
  const lines: string[] = [];
  const oursRuns = new Set(rows.filter((r) => r.ours).map((r) => r.engine));
  for (const c of settings.concurrency) for (const ours of rows.filter((r) => r.ours && r.concurrency === c)) {
    const peer = (id: string) => rows.find((r) => r.engine === id && r.concurrency === c);
    // With several configurations of ours in the run, each line names the one it checks.
    const who = oursRuns.size > 1 ? `${ours.engine}: ` : '';
    const check = (label: string, value: number | undefined, reference: number | undefined, higherIsBetter: boolean) => {
      if (value === undefined || reference === undefined) return lines.push(`- c=${c} ${who}${label}: not measured`);
      const ok = higherIsBetter ? value > reference : value <= reference;
      const by = higherIsBetter ? value / reference : reference / value;
      lines.push(`- c=${c} ${who}${label}: ${ok ? 'met' : 'MISSED'} (${f(value, 2)} vs ${f(reference, 2)}, ${by.toFixed(2)}×)`);
    };
    for (const [kind, get] of [
      ['jobs/s', (r?: EngineRow) => r?.throughput?.perSecond],
      ['chain steps/s', (r?: EngineRow) => r?.chains?.perSecond],
    ] as const) {
      check(`${kind} floor > graphile-worker default`, get(ours), get(peer('graphile-worker-default')), true);
      // Peers left out of this run (BENCH_ENGINES, BENCH_QUICK) are left out of the checks too.
      if (settings.engines.includes('pg-boss-batch-10')) check(`${kind} floor > pg-boss batch 10`, get(ours), get(peer('pg-boss-batch-10')), true);
      if (settings.engines.includes('pg-boss-batch-100')) check(`${kind} aim > pg-boss batch 100`, get(ours), get(peer('pg-boss-batch-100')), true);
      check(`${kind} goal > graphile-worker batched`, get(ours), get(peer('graphile-worker-batched')), true);
    }
    const batched = peer('graphile-worker-batched')?.throughput?.perSecond;
    check('jobs/s issue-14 floor ≥ 0.5× graphile-worker batched', ours.throughput?.perSecond, batched === undefined ? undefined : batched * 0.5, true);
    const gw = [peer('graphile-worker-default'), peer('graphile-worker-batched')].filter((r): r is EngineRow => Boolean(r?.latency));
    const gwBest = (pick: (r: EngineRow) => number) => (gw.length ? Math.min(...gw.map(pick)) : undefined);
    check('latency p50 ≤ graphile-worker', ours.latency?.p50Ms, gwBest((r) => r.latency!.p50Ms), false);
    check('latency p99 ≤ graphile-worker', ours.latency?.p99Ms, gwBest((r) => r.latency!.p99Ms), false);
    check(`${settings.longChain}-step chain < 100 ms`, ours.longChain?.medianMs, 100, false);
  }
  return lines;
}

// ── main ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * One engine benchmark at a time on this PostgreSQL: a second run would recreate the same databases
 * under the first one and share its CPU and WAL. Held by a session advisory lock until the end.
 */
async function exclusiveRun(): Promise<() => Promise<void>> {
  const client = uncountedClient(new Client(pgAdminConfig('postgres')));
  client.on('error', (error) => log(`run lock connection: ${error.message}`));
  await client.connect();
  let waiting = false;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('cognition_os_bench_engine')) as ok`);
    if (rows[0].ok) break;
    if (!waiting) log('another bench:engine run is in progress on this PostgreSQL: waiting for it to finish…');
    waiting = true;
    await sleep(2000);
  }
  return () => client.end().catch(() => undefined);
}

async function main(): Promise<void> {
  installQueryCounter();
  tolerateDropTerminations(log);
  const release = process.env.BENCH_SHARED ? async () => undefined : await exclusiveRun();
  try {
    await benchmark();
  } finally {
    await release();
  }
}

async function benchmark(): Promise<void> {
  const known = new Map(ENGINES.map((e) => [e.id, e]));
  const unknown = settings.engines.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`BENCH_ENGINES: unknown ${unknown.join(', ')} (known: ${[...known.keys()].join(', ')})`);
  const entries = ENGINES.filter((e) => settings.engines.includes(e.id));
  const machine = await machineInfo();
  const loadBefore = loadavg();
  log(`engine benchmark: ${entries.map((e) => e.id).join(', ')}; concurrency ${settings.concurrency.join(', ')}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  if (loadBefore[0] > 0.5) log(`WARNING: load average ${loadBefore[0].toFixed(2)} before start — something else is using the CPU; numbers will be low`);

  const started = Date.now();
  const measured: EngineRow[] = [];
  // Peers first, ours last in every round (peer, ours, peer, ours …): each engine's rounds spread over the run.
  const order = [...entries.filter((e) => !e.ours), ...entries.filter((e) => e.ours)];
  for (let round = 1; round <= settings.rounds; round++) {
    if (settings.rounds > 1) log(`-- round ${round} of ${settings.rounds}`);
    for (const concurrency of settings.concurrency) {
      for (const entry of order) measured.push({ ...(await runEngine(entry, concurrency)), round });
    }
  }
  const rows = entries.flatMap((e) => settings.concurrency.map((c) => medianRow(measured.filter((r) => r.engine === e.id && r.concurrency === c))));
  const totalSeconds = (Date.now() - started) / 1000;

  const out: string[] = [];
  out.push('## Engine benchmark\n');
  out.push(formatMachine(machine));
  out.push(`- Load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; run took ${totalSeconds.toFixed(0)} s`);
  out.push(
    `- ${settings.rounds} round(s)${settings.rounds > 1 ? ', every engine once per round (peers first, then ours); each cell is the engine\'s median round for that measure, its rounds listed in order' : ''}${settings.quick ? ' (BENCH_QUICK=1)' : ''}\n`,
  );
  out.push('Engines:\n');
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.engine)) continue;
    seen.add(r.engine);
    out.push(`- **${r.name}**: ${r.settings}`);
  }
  out.push('');
  out.push(tables(rows));
  const checks = targetChecks(rows);
  if (checks.length > 0) out.push(`\n### Targets (issues 3 and 14)\n\n${checks.join('\n')}`);
  const failed = rows.filter((r) => r.errors.length > 0);
  if (failed.length > 0) out.push(`\n### Errors\n\n${failed.flatMap((r) => r.errors.map((e) => `- ${r.name} c=${r.concurrency}: ${e.split('\n')[0]}`)).join('\n')}`);
  console.log(out.join('\n'));

  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'engine.json');
  writeFileSync(
    outFile,
    `${JSON.stringify({ benchmark: 'engine', date: new Date().toISOString(), settings, machine, loadAverageBefore: loadBefore, totalSeconds, rows, rounds: measured }, null, 2)}\n`,
  );
  console.log(`\nwritten ${outFile}`);
  if (failed.length > 0) throw new Error(`${failed.length} engine run(s) had errors`);
}

main().catch((error: Error) => {
  console.error(`\nbench:engine FAILED: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
