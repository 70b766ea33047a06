/** What every phase of the memory benchmark shares, and the harness around one search measurement. */
import { performance } from 'node:perf_hooks';
import { machineBusyCores } from '../engine/cpu';
import { CpuProbes, closedLoop, QueryAnswer } from './closed-loop';
import { Dataset } from './dataset';
import { GroundTruth, recallAt } from './ground-truth';
import { EmbeddedOurs } from './embedded';
import { HttpRawServer } from './http-raw';
import { OursServer } from './ours-api';
import { RawSql } from './raw-sql';
import { MemoryBenchResult, SearchRow } from './report';
import { Settings } from './settings';

export const DB = 'perf_memory_search_bench';
export const log = (message: string) => process.stderr.write(`${message}\n`);
export const now = () => performance.now();

export interface Context {
  s: Settings;
  ds: Dataset;
  gt: GroundTruth;
  queryText: string[];
  /** memory id → data index */
  ids: Map<string, number>;
  server?: OursServer;
  raw: RawSql;
  /** Raw pgvector behind a bare Fastify route (BENCH_MEMORY_HTTP_RAW). */
  httpRaw?: HttpRawServer;
  /** The memory module booted in this process and searched through the QueryBus (BENCH_MEMORY_EMBEDDED). */
  embedded?: EmbeddedOurs;
  result: MemoryBenchResult;
}

export const probes = (ctx: Context): CpuProbes => ({ database: DB, serverPid: ctx.server?.pid });

export async function waitForQuiet(s: Settings, verbose = true): Promise<void> {
  const deadline = Date.now() + s.quietWaitSeconds * 1000;
  let busy = await machineBusyCores(500);
  if (busy <= s.quietCores) return;
  if (verbose) log(`   waiting for the machine to be quiet (${busy.toFixed(2)} cores busy)…`);
  while (Date.now() < deadline) {
    busy = await machineBusyCores(1000);
    if (busy <= s.quietCores) return;
  }
  log(`   still ${busy.toFixed(2)} cores busy after ${s.quietWaitSeconds} s: measuring anyway`);
}

/** One search configuration over every query: waits for a quiet machine, measures again if contended. */
export async function measureSearch(
  ctx: Context,
  row: Pick<SearchRow, 'target' | 'label' | 'subset' | 'efSearch'> & { plan?: string },
  ask: (q: number, client: number) => Promise<QueryAnswer>,
  queries = ctx.s.queries,
): Promise<SearchRow> {
  const order = Array.from({ length: queries }, (_, q) => q);
  const warmup = Math.min(ctx.s.warmup, queries);
  let best: SearchRow | undefined;
  for (let attempt = 1; attempt <= ctx.s.retries + 1; attempt++) {
    await waitForQuiet(ctx.s);
    const loop = await closedLoop(order, ctx.s.concurrency, warmup, probes(ctx), ask);
    const settle0 = now();
    await waitForQuiet(ctx.s, false);
    const settleSeconds = (now() - settle0) / 1000;
    const recalls = order.map((q) => recallAt(ctx.ds, ctx.gt, row.subset, q, loop.answers[q]));
    const perQuery = (cores: number) => (cores * loop.seconds * 1000) / loop.queries;
    const notes = Object.entries(loop.notes).map(([k, v]) => `${k} ×${v}`).join(', ');
    const r: SearchRow = {
      ...row,
      plan: row.plan ?? (notes || undefined),
      queries: loop.queries,
      concurrency: loop.concurrency,
      recall: recalls.reduce((a, b) => a + b, 0) / recalls.length,
      poorShare: recalls.filter((x) => x < 0.5).length / recalls.length,
      perSecond: loop.perSecond,
      p50Ms: loop.p50Ms,
      p99Ms: loop.p99Ms,
      cpu: loop.cpu,
      cpuMsPerQuery: { server: perQuery(loop.cpu.server), postgres: perQuery(loop.cpu.postgres), client: perQuery(loop.cpu.client) },
      attempts: attempt,
      contended: loop.cpu.foreign > ctx.s.foreignMaxCores,
      settleSeconds,
      windowUs: loop.windowUs,
    };
    if (!best || r.cpu.foreign < best.cpu.foreign) best = { ...r, attempts: attempt };
    if (!r.contended) break;
    log(`   contended: other programs used ${r.cpu.foreign.toFixed(2)} cores${attempt <= ctx.s.retries ? ': again' : ''}`);
  }
  const b = best!;
  log(
    `   ${b.label}, ${b.subset}, ef ${b.efSearch}: recall@10 ${b.recall.toFixed(3)}, ${b.perSecond.toFixed(0)} q/s, p50 ${b.p50Ms.toFixed(2)} ms, p99 ${b.p99Ms.toFixed(2)} ms` +
      ` (CPU server ${b.cpu.server.toFixed(2)} pg ${b.cpu.postgres.toFixed(2)} client ${b.cpu.client.toFixed(2)} other ${b.cpu.foreign.toFixed(2)}; busy ${b.settleSeconds?.toFixed(1)} s after)${b.plan ? ` [${b.plan}]` : ''}`,
  );
  return b;
}

/** Runs one measurement; an error is recorded in the row (and the run's errors), not thrown. */
export async function guarded(ctx: Context, row: Pick<SearchRow, 'target' | 'label' | 'subset' | 'efSearch'>, fn: () => Promise<SearchRow>): Promise<void> {
  try {
    ctx.result.search.push(await fn());
  } catch (error) {
    const message = (error as Error).message;
    log(`   FAILED ${row.label}, ${row.subset}, ef ${row.efSearch}: ${message}`);
    ctx.result.errors.push(`${row.label} ${row.subset} ef ${row.efSearch}: ${message}`);
    ctx.result.search.push({
      ...row,
      queries: 0,
      concurrency: ctx.s.concurrency,
      recall: NaN,
      poorShare: NaN,
      perSecond: NaN,
      p50Ms: NaN,
      p99Ms: NaN,
      cpu: { server: 0, postgres: 0, client: 0, foreign: 0 },
      cpuMsPerQuery: { server: NaN, postgres: NaN, client: NaN },
      attempts: 1,
      contended: false,
      error: message,
    });
  }
}

export const toIndices = (ctx: Context, ids: string[]) => ids.map((id) => ctx.ids.get(id) ?? -1);
