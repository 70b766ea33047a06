/**
 * Ours against raw pgvector, interleaved: for 1 and 4 clients, unfiltered and at the 1 % and 10 %
 * filters, at every ef_search of the sweep, `rounds` rounds of (raw pass, ours pass) back to back,
 * so that whatever else the machine does hits both alike; medians per cell. Both search the same
 * table and the same HNSW graph with the same ef_search, so their recall is equal (printed with each
 * cell); the raw statement is the one that does what ours chose for that filter (ours reports its
 * strategy: `index` → raw through the HNSW index, with `relaxed_order` iterative scan when filtered;
 * `exact` → raw `ORDER BY distance + 0` over the filter's rows).
 */
import { closedLoop, LoopResult, QueryAnswer } from './closed-loop';
import { Context, DB, log, probes, toIndices } from './context';
import { ONE, TEN } from './dataset';
import { recallAt, Subset } from './ground-truth';
import { parseSearch, searchJson } from './ours-api';
import { RawVariant } from './raw-sql';
import { pgQuery } from '../support/postgres';

const SEARCH_PATH = '/api/v3/memories/search';
const NAMESPACE: Record<Subset, string | undefined> = { all: undefined, ten: TEN, one: ONE };

export interface PassStats {
  perSecond: number;
  recall: number;
  p50Ms: number;
  /** CPU ms per query over the pass: our server, PostgreSQL (the bench database's backends), the load generator; other programs in cores. */
  cpuMs: { server: number; postgres: number; client: number };
  foreignCores: number;
}

export interface CompareCell {
  clients: number;
  subset: Subset;
  efSearch: number;
  /** What ours reported (index / exact) and the raw statement run against it. An exact cell stands for every ef_search (a scan ignores it). */
  strategy: string;
  rawVariant: RawVariant;
  rounds: number;
  raw: PassStats;
  ours: PassStats;
  /** Per round: ours q/s ÷ raw q/s of the same round. */
  roundRatios: number[];
  /** Median of ours q/s ÷ median of raw q/s. */
  ratio: number;
  /** Raw pgvector behind a bare Fastify route (bench/memory/http-raw.ts), when measured: the same statement over HTTP. */
  httpRaw?: PassStats;
  /** Median of ours q/s ÷ median of the HTTP peer's q/s. */
  httpRatio?: number;
  /** Ours embedded (bench/memory/embedded.ts), when measured: the memory module searched in this process, no HTTP. */
  embedded?: PassStats;
  /** Median of ours embedded q/s ÷ median of raw q/s. */
  embeddedRatio?: number;
  /** The measured window of ours' last pass (process.hrtime µs, the clock of CPU profiles). */
  oursWindowUs?: { from: number; to: number };
}

export interface CompareSettings {
  clients: number[];
  subsets: Subset[];
  efSearch: number[];
  rounds: number;
  warmup: number;
  /** Searches per filter and searcher before the first cell (JIT warm-up, not measured). */
  jitWarmup: number;
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function stats(ctx: Context, subset: Subset, loop: LoopResult): PassStats {
  const recalls = loop.answers.map((answer, q) => recallAt(ctx.ds, ctx.gt, subset, q, answer));
  const perQuery = (cores: number) => (cores * loop.seconds * 1000) / loop.queries;
  return {
    perSecond: loop.perSecond,
    recall: recalls.reduce((a, b) => a + b, 0) / recalls.length,
    p50Ms: loop.p50Ms,
    cpuMs: { server: perQuery(loop.cpu.server), postgres: perQuery(loop.cpu.postgres), client: perQuery(loop.cpu.client) },
    foreignCores: loop.cpu.foreign,
  };
}

function medianStats(passes: PassStats[]): PassStats {
  return {
    perSecond: median(passes.map((p) => p.perSecond)),
    recall: median(passes.map((p) => p.recall)),
    p50Ms: median(passes.map((p) => p.p50Ms)),
    cpuMs: {
      server: median(passes.map((p) => p.cpuMs.server)),
      postgres: median(passes.map((p) => p.cpuMs.postgres)),
      client: median(passes.map((p) => p.cpuMs.client)),
    },
    foreignCores: median(passes.map((p) => p.foreignCores)),
  };
}

export async function compareSearches(ctx: Context, cs: CompareSettings): Promise<CompareCell[]> {
  const { s, raw } = ctx;
  const server = ctx.server!;
  const order = Array.from({ length: s.queries }, (_, q) => q);
  const [tenant] = await pgQuery<{ tenant_id: string }>(`SELECT tenant_id FROM memories LIMIT 1`, DB);
  raw.tenantId = tenant.tenant_id;

  const oursAsk = (ef: number, ns: string | undefined) => async (q: number): Promise<QueryAnswer> => {
    const answer = await server.api!.send('POST', SEARCH_PATH, searchJson(ctx.queryText[q], s.k, ef, ns));
    if (answer.status !== 200) throw new Error(`POST ${SEARCH_PATH} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const parsed = parseSearch(answer.body);
    return { indices: toIndices(ctx, parsed.ids), note: parsed.strategy };
  };
  const rawAsk = (variant: RawVariant, ns: string | undefined) => async (q: number, c: number): Promise<QueryAnswer> => ({
    indices: toIndices(ctx, await raw.search(c, variant, ctx.queryText[q], ns, s.k)),
  });
  const httpRaw = ctx.httpRaw;
  const httpRawAsk = (variant: RawVariant, ns: string | undefined) => async (q: number): Promise<QueryAnswer> => ({
    indices: toIndices(ctx, await httpRaw!.search(variant, ctx.queryText[q], ns, s.k)),
  });

  const embedded = ctx.embedded;
  const embeddedAsk = (ef: number, ns: string | undefined) => async (q: number): Promise<QueryAnswer> => {
    const answer = await embedded!.search(raw.tenantId!, ctx.queryText[q], s.k, ef, ns);
    return { indices: toIndices(ctx, answer.ids), note: answer.strategy };
  };

  /** What ours does for this filter decides what raw runs. */
  const variantFor = async (ns: string | undefined): Promise<{ strategy: string; variant: RawVariant }> => {
    const probe = await oursAsk(cs.efSearch[0], ns)(0);
    const strategy = probe.note ?? 'index';
    return { strategy, variant: strategy === 'exact' ? 'exact' : ns ? 'filtered-iterative' : 'index' };
  };
  const configure = async (ef: number, variant: RawVariant, ns: string | undefined) => {
    const iterative = variant === 'filtered-iterative' ? 'relaxed_order' : 'off';
    await raw.configure(ef, iterative, ns !== undefined, variant === 'filtered-iterative');
    await httpRaw?.configure(ef, iterative, ns !== undefined, variant === 'filtered-iterative');
  };

  // JIT warm-up, not measured: every searcher runs each filter's path `jitWarmup` times before the
  // first cell, so that no cell measures a process still compiling (a server of ours needs a few
  // thousand requests to reach its steady state; before this, the first cell — one client,
  // unfiltered, the lowest ef_search — measured ours, the bare route and ours embedded cold).
  if (cs.jitWarmup > 0) {
    const clients = Math.max(...cs.clients);
    const warm = Array.from({ length: cs.jitWarmup }, (_, i) => order[i % order.length]);
    log(`   JIT warm-up: ${cs.jitWarmup} searches per filter and searcher, ${clients} clients, not measured`);
    for (const subset of cs.subsets) {
      const ns = NAMESPACE[subset];
      const { variant } = await variantFor(ns);
      await configure(cs.efSearch[0], variant, ns);
      await closedLoop(warm, clients, 0, probes(ctx), rawAsk(variant, ns));
      await closedLoop(warm, clients, 0, probes(ctx), oursAsk(cs.efSearch[0], ns));
      if (httpRaw) await closedLoop(warm, clients, 0, { database: DB, serverPid: httpRaw.pid }, httpRawAsk(variant, ns));
      if (embedded) await closedLoop(warm, clients, 0, { database: DB }, embeddedAsk(cs.efSearch[0], ns));
    }
  }

  const cells: CompareCell[] = [];
  for (const clients of cs.clients) {
    for (const subset of cs.subsets) {
      const ns = NAMESPACE[subset];
      const { strategy, variant } = await variantFor(ns);
      // An exact scan does not use ef_search (neither ours nor raw's): one cell stands for every ef_search.
      for (const ef of variant === 'exact' ? cs.efSearch.slice(0, 1) : cs.efSearch) {
        await configure(ef, variant, ns);
        const rawPasses: PassStats[] = [];
        const oursPasses: PassStats[] = [];
        const httpPasses: PassStats[] = [];
        const embeddedPasses: PassStats[] = [];
        const strategies = new Set<string>();
        let oursWindowUs: CompareCell['oursWindowUs'];
        for (let round = 0; round < cs.rounds; round++) {
          const r = await closedLoop(order, clients, cs.warmup, probes(ctx), rawAsk(variant, ns));
          rawPasses.push(stats(ctx, subset, r));
          const o = await closedLoop(order, clients, cs.warmup, probes(ctx), oursAsk(ef, ns));
          oursPasses.push(stats(ctx, subset, o));
          oursWindowUs = o.windowUs;
          for (const note of Object.keys(o.notes)) strategies.add(note);
          if (httpRaw) httpPasses.push(stats(ctx, subset, await closedLoop(order, clients, cs.warmup, { database: DB, serverPid: httpRaw.pid }, httpRawAsk(variant, ns))));
          if (embedded) embeddedPasses.push(stats(ctx, subset, await closedLoop(order, clients, cs.warmup, { database: DB }, embeddedAsk(ef, ns))));
        }
        const cell: CompareCell = {
          clients,
          subset,
          efSearch: ef,
          strategy: [...strategies].join('+') || strategy,
          rawVariant: variant,
          rounds: cs.rounds,
          raw: medianStats(rawPasses),
          ours: medianStats(oursPasses),
          roundRatios: oursPasses.map((o, i) => o.perSecond / rawPasses[i].perSecond),
          ratio: 0,
          oursWindowUs,
        };
        cell.ratio = cell.ours.perSecond / cell.raw.perSecond;
        if (httpPasses.length) {
          cell.httpRaw = medianStats(httpPasses);
          cell.httpRatio = cell.ours.perSecond / cell.httpRaw.perSecond;
        }
        if (embeddedPasses.length) {
          cell.embedded = medianStats(embeddedPasses);
          cell.embeddedRatio = cell.embedded.perSecond / cell.raw.perSecond;
        }
        cells.push(cell);
        log(
          `   ${clients} client(s), ${subset}, ef ${ef} [${cell.strategy} vs raw ${variant}]: raw ${cell.raw.perSecond.toFixed(0)} q/s (recall ${cell.raw.recall.toFixed(3)}, ${(cell.raw.cpuMs.postgres + cell.raw.cpuMs.client).toFixed(2)} ms CPU/q), ` +
            `ours ${cell.ours.perSecond.toFixed(0)} q/s (recall ${cell.ours.recall.toFixed(3)}, ${(cell.ours.cpuMs.server + cell.ours.cpuMs.postgres + cell.ours.cpuMs.client).toFixed(2)} ms CPU/q): ${cell.ratio.toFixed(2)}× (rounds ${cell.roundRatios.map((x) => x.toFixed(2)).join(' ')})` +
            (cell.httpRaw ? `; raw over HTTP ${cell.httpRaw.perSecond.toFixed(0)} q/s (${(cell.httpRaw.cpuMs.server + cell.httpRaw.cpuMs.postgres + cell.httpRaw.cpuMs.client).toFixed(2)} ms CPU/q), ours ÷ it ${cell.httpRatio!.toFixed(2)}×` : '') +
            (cell.embedded ? `; ours embedded ${cell.embedded.perSecond.toFixed(0)} q/s (recall ${cell.embedded.recall.toFixed(3)}, ${(cell.embedded.cpuMs.postgres + cell.embedded.cpuMs.client).toFixed(2)} ms CPU/q), ÷ raw ${cell.embeddedRatio!.toFixed(2)}×` : ''),
        );
      }
    }
  }
  return cells;
}
