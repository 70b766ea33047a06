/**
 * Closed-loop load: `concurrency` clients, each sending its next query as soon as its previous
 * answer arrived, until every query was asked once. Per query: latency and the answer (data
 * indices). Also CPU use of the server, PostgreSQL and this process over the window, and of
 * everything else on the machine (foreign: other programs; a high value means the window was
 * contended).
 */
import { performance } from 'node:perf_hooks';
import { CpuSnapshot as EngineCpuSnapshot, cpuSnapshot as engineCpuSnapshot } from '../engine/cpu';
import { processCpuSeconds } from '../support/cpu-usage';

export interface CpuProbes {
  database: string;
  serverPid?: number;
}

export interface CpuWindow {
  /** Cores used over the window (1.0 = one core busy throughout). */
  server: number;
  /** The bench database's backends (pid by pid: a backend that ends meanwhile takes its time with it) and PostgreSQL's background processes. */
  postgres: number;
  client: number;
  foreign: number;
}

interface CpuSnapshot {
  at: number;
  server: number;
  engine: EngineCpuSnapshot;
}

export function cpuSnapshot(p: CpuProbes): CpuSnapshot {
  return { at: performance.now(), server: p.serverPid ? (processCpuSeconds(p.serverPid) ?? 0) * 1000 : 0, engine: engineCpuSnapshot(p.database) };
}

export function cpuWindow(a: CpuSnapshot, b: CpuSnapshot): CpuWindow {
  const ms = b.at - a.at;
  let postgres = 0;
  for (const [pid, used] of b.engine.postgres) postgres += used - (a.engine.postgres.get(pid) ?? 0);
  const server = Math.max(0, b.server - a.server);
  const client = b.engine.nodeMs - a.engine.nodeMs;
  const machine = b.engine.machineBusyMs - a.engine.machineBusyMs;
  return { server: server / ms, postgres: postgres / ms, client: client / ms, foreign: Math.max(0, machine - server - postgres - client) / ms };
}

export interface LoopResult {
  queries: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  answers: number[][];
  cpu: CpuWindow;
  /** Extra per-query information the runner returned (e.g. the API's search strategy), counted. */
  notes: Record<string, number>;
  /** process.hrtime in µs (the clock of V8 CPU profiles) at the start and end of the measured pass. */
  windowUs: { from: number; to: number };
}

export interface QueryAnswer {
  indices: number[];
  note?: string;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Runs `ask(q, client)` for q in `order` (warm-up: the first `warmup` entries of `order` again,
 * untimed, before the measured pass over all of them).
 */
export async function closedLoop(
  order: number[],
  concurrency: number,
  warmup: number,
  probes: CpuProbes,
  ask: (q: number, client: number) => Promise<QueryAnswer>,
): Promise<LoopResult> {
  const pass = async (queries: number[], record: boolean) => {
    const latencies = new Array<number>(queries.length);
    const answers = new Array<number[]>(queries.length);
    const notes: Record<string, number> = {};
    let next = 0;
    const client = async (c: number) => {
      for (;;) {
        const slot = next++;
        if (slot >= queries.length) return;
        const t0 = performance.now();
        const answer = await ask(queries[slot], c);
        latencies[slot] = performance.now() - t0;
        if (record) {
          answers[slot] = answer.indices;
          if (answer.note) notes[answer.note] = (notes[answer.note] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, c) => client(c)));
    return { latencies, answers, notes };
  };
  if (warmup > 0) await pass(order.slice(0, warmup), false);
  const c0 = cpuSnapshot(probes);
  const from = Number(process.hrtime.bigint() / 1000n);
  const t0 = performance.now();
  const { latencies, answers, notes } = await pass(order, true);
  const seconds = (performance.now() - t0) / 1000;
  const to = Number(process.hrtime.bigint() / 1000n);
  const cpu = cpuWindow(c0, cpuSnapshot(probes));
  // answers in query order
  const byQuery = new Array<number[]>(order.length);
  order.forEach((q, slot) => (byQuery[q] = answers[slot]));
  return {
    queries: order.length,
    concurrency,
    seconds,
    perSecond: order.length / seconds,
    latenciesMs: latencies,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    answers: byQuery,
    cpu,
    notes,
    windowUs: { from, to },
  };
}
