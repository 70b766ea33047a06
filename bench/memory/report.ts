/** Result rows of the memory benchmark, their markdown tables and the issue's targets. */
import { markdownTable } from '../support/table';
import type { CpuWindow } from './closed-loop';
import type { Subset } from './ground-truth';
import type { Settings } from './settings';
import type { CompareCell } from './compare';
import { renderComparison } from './compare-report';

export interface SearchRow {
  target: 'raw' | 'ours';
  /** What ran, e.g. `raw: HNSW`, `raw: WHERE + relaxed_order`, `ours (namespace filter)`. */
  label: string;
  subset: Subset;
  efSearch: number;
  queries: number;
  concurrency: number;
  recall: number;
  /** Share of queries with recall < 0.5. */
  poorShare: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpu: CpuWindow;
  /** CPU ms per query: our server process, PostgreSQL backends, this process (the clients). */
  cpuMsPerQuery: { server: number; postgres: number; client: number };
  /** Raw: the plan's scan nodes; ours: the strategies the API reported (count per strategy). */
  plan?: string;
  attempts: number;
  contended: boolean;
  /** Seconds until the machine was quiet again after the pass (work the pass left behind, e.g. access-count updates). */
  settleSeconds?: number;
  windowUs?: { from: number; to: number };
  error?: string;
}

export interface TimedLoad {
  memories: number;
  requests: number;
  batchSize: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  requestP50Ms: number;
  requestP99Ms: number;
  /** Rate over the first and the last tenth of the requests (the HNSW insert slows as the graph grows). */
  firstTenthPerSecond?: number;
  lastTenthPerSecond?: number;
  cpu: CpuWindow;
}

export interface SingleInserts {
  storedBefore: number;
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  windowUs?: { from: number; to: number };
}

export interface MemoryBenchResult {
  settings: Settings;
  loadedBy: 'api' | 'sql';
  firstBatch?: { memories: number; ms: number };
  load?: TimedLoad;
  sqlLoad?: { loadSeconds: number; indexSeconds: number };
  singlesAt1k?: SingleInserts;
  singlesAtN?: SingleInserts;
  /** The same inserts as one SQL INSERT each through pg (the storage limit). */
  rawSinglesAt1k?: SingleInserts;
  rawSinglesAtN?: SingleInserts;
  textLoad?: TimedLoad;
  index?: { name: string; definition: string; sizeMB: number; tableMB: number };
  oursEfMode?: 'request' | 'restart';
  /** Row writes to `memories` during our searches (access counts), from pg_stat_user_tables. */
  oursSearchWrites?: { queries: number; rowsUpdated: number; hotUpdated: number; autovacuums: number };
  /** BENCH_MEMORY_CPU_PROFILE=1: our server's top functions during one unfiltered pass. */
  profile?: string;
  search: SearchRow[];
  /** The interleaved ours-vs-raw comparison (compare.ts). */
  compare?: CompareCell[];
  errors: string[];
}

const f = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const mark = (r?: SearchRow) => (r?.contended ? '! ' : '');
const SUBSET_LABEL: Record<Subset, string> = { all: 'none (100 %)', ten: '10 % (`bench.ten`)', one: '1 % (`bench.ten.one`)' };

/** First row (lowest ef) reaching the recall, among rows of one target and subset. */
export function firstAt(rows: SearchRow[], recall: number): SearchRow | undefined {
  return [...rows].filter((r) => !r.error).sort((a, b) => a.efSearch - b.efSearch).find((r) => r.recall >= recall);
}

function unfilteredTables(res: MemoryBenchResult): string {
  const raw = res.search.filter((r) => r.target === 'raw' && r.subset === 'all' && r.label === 'raw: HNSW');
  const ours = res.search.filter((r) => r.target === 'ours' && r.subset === 'all');
  const shaped = res.search.filter((r) => r.target === 'raw' && r.subset === 'all' && r.label === 'raw: our SQL');
  const efs = [...new Set([...raw, ...ours].map((r) => r.efSearch))].sort((a, b) => a - b);
  const body = efs.map((ef) => {
    const r = raw.find((x) => x.efSearch === ef);
    const o = ours.find((x) => x.efSearch === ef);
    const sh = shaped.find((x) => x.efSearch === ef);
    return [
      ef,
      f(r?.recall, 3),
      `${mark(r)}${f(r?.perSecond)}`,
      f(r?.p50Ms, 2),
      f(r?.p99Ms, 2),
      o?.error ? 'error' : f(o?.recall, 3),
      `${mark(o)}${f(o?.perSecond)}`,
      f(o?.p50Ms, 2),
      f(o?.p99Ms, 2),
      r && o && !o.error ? `${(o.perSecond / r.perSecond).toFixed(2)}×` : '–',
      `${mark(sh)}${f(sh?.perSecond)}`,
    ];
  });
  const sweep = markdownTable(
    ['ef_search', 'raw recall@10', 'raw q/s', 'raw p50 ms', 'raw p99 ms', 'ours recall@10', 'ours q/s', 'ours p50 ms', 'ours p99 ms', 'ours/raw q/s', 'raw, our SQL: q/s'],
    body,
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const r95 = firstAt(raw, 0.95);
  const o95 = firstAt(ours, 0.95);
  const at = markdownTable(
    ['target', 'first ef_search with recall ≥ 0.95', 'recall@10', 'q/s', 'p50 ms', 'p99 ms', 'q/s vs raw'],
    [
      ['raw pgvector', r95?.efSearch ?? 'never', f(r95?.recall, 3), f(r95?.perSecond), f(r95?.p50Ms, 2), f(r95?.p99Ms, 2), '1.00×'],
      ['ours', o95?.efSearch ?? 'never', f(o95?.recall, 3), f(o95?.perSecond), f(o95?.p50Ms, 2), f(o95?.p99Ms, 2), r95 && o95 ? `${(o95.perSecond / r95.perSecond).toFixed(2)}×` : '–'],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const cpuRows = [...raw, ...shaped, ...ours]
    .filter((r) => !r.error && (r.efSearch === r95?.efSearch || r.efSearch === o95?.efSearch))
    .map((r) => [r.label, r.efSearch, f(r.cpuMsPerQuery.server, 3), f(r.cpuMsPerQuery.postgres, 3), f(r.cpuMsPerQuery.client, 3), f(r.cpu.foreign, 2), f(r.settleSeconds, 1)]);
  const cpu = markdownTable(
    ['target', 'ef_search', 'server CPU ms/query', 'PostgreSQL CPU ms/query', 'client CPU ms/query', 'other programs (cores)', 'busy after the pass (s)'],
    cpuRows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const w = res.oursSearchWrites;
  const writes = w
    ? `

Row writes our searches caused (pg_stat_user_tables over all of our search passes, warm-ups included): ${f(w.rowsUpdated)} rows of \`memories\` updated for ${f(w.queries)} queries (${f(w.rowsUpdated / w.queries, 1)} per query), ${w.rowsUpdated ? f((100 * w.hotUpdated) / w.rowsUpdated, 0) : '–'} % of them HOT (no index touched); ${w.autovacuums} autovacuum run(s) of the table meanwhile. Raw SQL writes nothing.`
    : '';
  const legend =
    '"raw, our SQL": the statement our API sends, written out and run through pg like raw (every column but the vector, the tenant / status / expiry conditions, hnsw.iterative_scan = relaxed_order): what our SQL costs without HTTP, Nest and JSON.';
  return `### 1. Unfiltered search, sweeping ef_search\n\n${sweep}\n\n${legend}\n\nAt the same recall (the first ef_search where each reaches recall@10 ≥ 0.95):\n\n${at}\n\nWhere the CPU goes (per query, at those ef_search values; "busy after" = seconds until the machine was quiet again after the pass):\n\n${cpu}${writes}`;
}

function filteredTable(res: MemoryBenchResult): string {
  const unfilteredOurs = (ef: number) => res.search.find((r) => r.target === 'ours' && r.subset === 'all' && r.efSearch === ef && !r.error);
  const rows = res.search
    .filter((r) => r.subset !== 'all')
    .sort((a, b) => (a.subset === b.subset ? 0 : a.subset === 'one' ? -1 : 1))
    .map((r) => {
      const base = r.target === 'ours' ? unfilteredOurs(r.efSearch) : undefined;
      return [
        SUBSET_LABEL[r.subset],
        r.label,
        r.efSearch,
        r.error ? 'error' : f(r.recall, 3),
        `${mark(r)}${f(r.perSecond)}`,
        f(r.p50Ms, 2),
        f(r.p99Ms, 2),
        base ? `${(r.perSecond / base.perSecond).toFixed(2)}×` : '–',
        r.error ? r.error.slice(0, 80) : (r.plan ?? ''),
      ];
    });
  const table = markdownTable(
    ['filter', 'strategy', 'ef_search', 'recall@10', 'q/s', 'p50 ms', 'p99 ms', 'vs ours unfiltered', 'plan (raw) / strategy reported (ours)'],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const sanity = res.search.filter((r) => r.subset === 'all' && r.label === 'raw: exact scan');
  const check = sanity.length
    ? `\n\nGround-truth check: raw exact scan, unfiltered, ${sanity[0].queries} queries: recall@10 ${f(sanity[0].recall, 3)} (must be 1.000), ${f(sanity[0].perSecond)} q/s.`
    : '';
  return `### 2. Filtered search (namespace subtree)\n\n${table}${check}`;
}

function writeTable(res: MemoryBenchResult): string {
  const lines: string[] = [];
  const loadRow = (what: string, l?: TimedLoad) =>
    l
      ? [what, f(l.memories), `${l.requests} × ${l.batchSize}`, l.concurrency, f(l.seconds, 1), f(l.perSecond), f(l.requestP50Ms), f(l.firstTenthPerSecond), f(l.lastTenthPerSecond), `${l.cpu.server.toFixed(2)} / ${l.cpu.postgres.toFixed(2)} / ${l.cpu.foreign.toFixed(2)}`]
      : [what, '–', '–', '–', '–', 'not measured', '–', '–', '–', '–'];
  lines.push(
    markdownTable(
      ['batch insert', 'memories', 'requests', 'in flight', 'seconds', 'memories/s', 'request p50 ms', 'first 10 % /s', 'last 10 % /s', 'CPU server / pg / other'],
      [loadRow('supplied bench-384 vectors (the load)', res.load), loadRow('texts, offline hashing-384 embedder', res.textLoad)],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  if (res.sqlLoad) lines.push(`\nLoaded with SQL (BENCH_MEMORY_API=0): ${res.sqlLoad.loadSeconds.toFixed(1)} s, then the HNSW index built in ${res.sqlLoad.indexSeconds.toFixed(1)} s.`);
  const s = (what: string, x?: SingleInserts) => [what, x ? f(x.storedBefore) : '–', x?.samples ?? '–', f(x?.p50Ms, 2), f(x?.p90Ms, 2), f(x?.p99Ms, 2), f(x?.meanMs, 2)];
  lines.push('');
  lines.push(
    markdownTable(
      ['single insert (one memory, supplied vector)', 'stored before', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms'],
      [
        s('ours, POST /memories, at ~1,000', res.singlesAt1k),
        s(`ours, POST /memories, at ~${f(res.settings.vectors)}`, res.singlesAtN),
        s('raw: one SQL INSERT through pg, at ~1,000', res.rawSinglesAt1k),
        s(`raw: one SQL INSERT through pg, at ~${f(res.settings.vectors)}`, res.rawSinglesAtN),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  if (res.singlesAt1k && res.singlesAtN) lines.push(`\np50 ratio ours: ${(res.singlesAtN.p50Ms / res.singlesAt1k.p50Ms).toFixed(2)}× (target ≤ 1.5×)`);
  if (res.rawSinglesAt1k && res.rawSinglesAtN) lines.push(`p50 ratio raw INSERT: ${(res.rawSinglesAtN.p50Ms / res.rawSinglesAt1k.p50Ms).toFixed(2)}× (what the table and its indexes alone do)`);
  return `### 3. Write path\n\n${lines.join('\n')}`;
}

export function targets(res: MemoryBenchResult): string[] {
  const lines: string[] = [];
  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  const raw = res.search.filter((r) => r.target === 'raw' && r.subset === 'all' && r.label === 'raw: HNSW');
  const ours = res.search.filter((r) => r.target === 'ours' && r.subset === 'all');
  const r95 = firstAt(raw, 0.95);
  const o95 = firstAt(ours, 0.95);
  if (!ours.length) lines.push('- 1. unfiltered: ours not measured');
  else if (!o95) lines.push(`- 1. unfiltered recall@10 ≥ 0.95: MISSED (best ${f(Math.max(...ours.filter((r) => !r.error).map((r) => r.recall)), 3)})`);
  else if (r95) {
    const ratio = o95.perSecond / r95.perSecond;
    lines.push(`- 1. unfiltered: ours reaches ${f(o95.recall, 3)} at ef_search ${o95.efSearch} with ${f(o95.perSecond)} q/s = ${ratio.toFixed(2)}× raw's ${f(r95.perSecond)} q/s at its first ≥ 0.95 (ef_search ${r95.efSearch}); target ≥ 0.60×: ${ok(ratio >= 0.6)}`);
  }
  if (o95) {
    const base = o95.perSecond;
    for (const subset of ['one', 'ten'] as const) {
      const row = res.search.find((r) => r.target === 'ours' && r.subset === subset && r.efSearch === o95.efSearch);
      if (!row || row.error) {
        lines.push(`- 2. filtered ${SUBSET_LABEL[subset]}: not measured${row?.error ? ` (error: ${row.error.slice(0, 100)})` : ''}`);
        continue;
      }
      const ratio = row.perSecond / base;
      lines.push(
        `- 2. filtered ${SUBSET_LABEL[subset]} at ef_search ${row.efSearch}: recall@10 ${f(row.recall, 3)} (≥ 0.95: ${ok(row.recall >= 0.95)}), ${f(row.perSecond)} q/s = ${ratio.toFixed(2)}× ours unfiltered (≥ 0.50×: ${ok(ratio >= 0.5)})`,
      );
    }
  } else lines.push('- 2. filtered: not evaluated (ours never reached 0.95 unfiltered)');
  if (res.singlesAt1k && res.singlesAtN) {
    const ratio = res.singlesAtN.p50Ms / res.singlesAt1k.p50Ms;
    lines.push(`- 3. single-insert p50 at ${f(res.singlesAtN.storedBefore)} stored = ${f(res.singlesAtN.p50Ms, 2)} ms vs ${f(res.singlesAt1k.p50Ms, 2)} ms at ${f(res.singlesAt1k.storedBefore)}: ${ratio.toFixed(2)}× (≤ 1.5×: ${ok(ratio <= 1.5)})`);
  } else lines.push('- 3. single inserts: not measured');
  return lines;
}

export function renderReport(res: MemoryBenchResult, header: string): string {
  const parts = [header];
  if (res.compare?.length) parts.push(renderComparison(res.compare));
  if (res.search.length) parts.push(unfilteredTables(res), filteredTable(res));
  if (res.loadedBy === 'api') parts.push(writeTable(res));
  if (res.profile) parts.push(res.profile);
  if (res.search.some((r) => r.contended)) parts.push(`! = other programs used more than ${res.settings.foreignMaxCores} cores during the measurement, even after ${res.settings.retries} retries: too slow.`);
  if (res.errors.length) parts.push(`### Errors\n\n${res.errors.map((e) => `- ${e.split('\n')[0].slice(0, 300)}`).join('\n')}`);
  return parts.join('\n\n');
}
