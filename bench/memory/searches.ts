/** The search measurements: raw pgvector through pg, then ours over HTTP. */
import { pgQuery } from '../support/postgres';
import { QueryAnswer } from './closed-loop';
import { Context, DB, guarded, log, measureSearch, toIndices } from './context';
import { ONE, TEN } from './dataset';
import { Subset } from './ground-truth';
import { parseSearch, searchJson } from './ours-api';
import { RawVariant } from './raw-sql';
import { firstAt } from './report';

const SEARCH_PATH = '/api/v3/memories/search';

export async function rawSearches(ctx: Context): Promise<void> {
  const { s, raw } = ctx;
  const ask = (variant: RawVariant, ns?: string) => async (q: number, c: number) => ({ indices: toIndices(ctx, await raw.search(c, variant, ctx.queryText[q], ns, s.k)) });
  log('== 1. unfiltered, raw pgvector');
  const [tenant] = await pgQuery<{ tenant_id: string }>(`SELECT tenant_id FROM memories LIMIT 1`, DB);
  raw.tenantId = tenant.tenant_id;
  for (const ef of s.efSearch) {
    const row = { target: 'raw' as const, label: 'raw: HNSW', subset: 'all' as Subset, efSearch: ef };
    await guarded(ctx, row, async () => {
      await raw.configure(ef, 'off', false);
      return measureSearch(ctx, { ...row, plan: await raw.plan('index', ctx.queryText[0], undefined, s.k) }, ask('index'));
    });
    const shaped = { target: 'raw' as const, label: 'raw: our SQL', subset: 'all' as Subset, efSearch: ef };
    await guarded(ctx, shaped, async () => {
      await raw.configure(ef, 'relaxed_order', false);
      return measureSearch(ctx, { ...shaped, plan: await raw.plan('api-shape', ctx.queryText[0], undefined, s.k) }, ask('api-shape'));
    });
  }
  if (s.exactCheckQueries > 0) {
    const row = { target: 'raw' as const, label: 'raw: exact scan', subset: 'all' as Subset, efSearch: s.filterEf };
    await guarded(ctx, row, async () => {
      await raw.configure(s.filterEf, 'off', false);
      return measureSearch(ctx, { ...row, plan: await raw.plan('exact', ctx.queryText[0], undefined, s.k) }, ask('exact'), Math.min(s.exactCheckQueries, s.queries));
    });
  }
  log(`== 2. filtered, raw pgvector (ef_search ${s.filterEf})`);
  for (const [subset, ns] of [['one', ONE], ['ten', TEN]] as const) {
    const variants: Array<[RawVariant, string, 'off' | 'relaxed_order']> = [
      ['filtered-plain', 'raw: plain WHERE, planner’s choice', 'off'],
      ['filtered-plain-hnsw', 'raw: plain WHERE, HNSW (iterative scan off)', 'off'],
      ['filtered-iterative', 'raw: WHERE, HNSW + iterative_scan relaxed_order', 'relaxed_order'],
      ['exact', 'raw: exact scan (ORDER BY distance + 0)', 'off'],
    ];
    for (const [variant, label, iterative] of variants) {
      const row = { target: 'raw' as const, label, subset: subset as Subset, efSearch: s.filterEf };
      await guarded(ctx, row, async () => {
        await raw.configure(s.filterEf, iterative, true, variant === 'filtered-plain-hnsw' || variant === 'filtered-iterative');
        return measureSearch(ctx, { ...row, plan: await raw.plan(variant, ctx.queryText[0], ns, s.k) }, ask(variant, ns));
      });
    }
  }
}

/** Does the API take `efSearch` in the request? Otherwise ef_search is set by restarting with MEMORY_EF_SEARCH. */
async function oursEfMode(ctx: Context): Promise<'request' | 'restart'> {
  const answer = await ctx.server!.api!.send('POST', SEARCH_PATH, searchJson(ctx.queryText[0], ctx.s.k, 40, undefined));
  if (answer.status === 200 || answer.status === 201) return 'request';
  if ((answer.status === 400 || answer.status === 422) && /efSearch/i.test(answer.text)) return 'restart';
  throw new Error(`POST ${SEARCH_PATH} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
}

interface TableStats {
  updated: number;
  hot: number;
  autovacuums: number;
}

async function tableStats(): Promise<TableStats> {
  const [r] = await pgQuery<{ upd: string; hot: string; av: string }>(
    `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot, autovacuum_count AS av FROM pg_stat_user_tables WHERE relname = 'memories'`,
    DB,
  );
  return { updated: Number(r.upd), hot: Number(r.hot), autovacuums: Number(r.av) };
}

/** Backends publish their table counters lazily (up to ~10 s when idle). */
const STATS_SETTLE_MS = 11_000;

export async function oursSearches(ctx: Context): Promise<void> {
  const before = await tableStats();
  await oursSearchPasses(ctx);
  await new Promise((r) => setTimeout(r, STATS_SETTLE_MS));
  const after = await tableStats();
  const ours = ctx.result.search.filter((r) => r.target === 'ours' && !r.error);
  const queries = ours.reduce((a, r) => a + r.queries * r.attempts + Math.min(ctx.s.warmup, r.queries) * r.attempts, 0);
  ctx.result.oursSearchWrites = { queries, rowsUpdated: after.updated - before.updated, hotUpdated: after.hot - before.hot, autovacuums: after.autovacuums - before.autovacuums };
}

async function oursSearchPasses(ctx: Context): Promise<void> {
  const { s } = ctx;
  const server = ctx.server!;
  const mode = await oursEfMode(ctx);
  ctx.result.oursEfMode = mode;
  if (mode === 'restart') log('   the API does not take efSearch: restarting it with MEMORY_EF_SEARCH for each value');
  const ask = (ef: number, ns?: string) => async (q: number): Promise<QueryAnswer> => {
    const answer = await server.api!.send('POST', SEARCH_PATH, searchJson(ctx.queryText[q], s.k, mode === 'request' ? ef : undefined, ns));
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`POST ${SEARCH_PATH} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const parsed = parseSearch(answer.body);
    return { indices: toIndices(ctx, parsed.ids), note: parsed.strategy };
  };
  const atEf = async (ef: number) => {
    if (mode === 'restart') {
      await server.stop();
      await server.start({ MEMORY_EF_SEARCH: String(ef) }, s.concurrency + 2);
    }
  };
  log(`== 1. unfiltered, ours (POST ${SEARCH_PATH}, vector mode, ${mode === 'request' ? 'efSearch in the request' : 'MEMORY_EF_SEARCH'})`);
  for (const ef of s.efSearch) {
    const row = { target: 'ours' as const, label: 'ours', subset: 'all' as Subset, efSearch: ef };
    await guarded(ctx, row, async () => {
      await atEf(ef);
      return measureSearch(ctx, row, ask(ef));
    });
  }
  const operating = firstAt(ctx.result.search.filter((r) => r.target === 'ours' && r.subset === 'all'), 0.95)?.efSearch;
  const efs = [...new Set([s.filterEf, ...(operating ? [operating] : [])])];
  log(`== 2. filtered, ours (ef_search ${efs.join(', ')}; ${operating ? `${operating} is the first with unfiltered recall ≥ 0.95` : 'never ≥ 0.95 unfiltered'})`);
  for (const ef of efs) {
    await atEf(ef);
    for (const [subset, ns] of [['one', ONE], ['ten', TEN]] as const) {
      const row = { target: 'ours' as const, label: 'ours (namespace filter)', subset: subset as Subset, efSearch: ef };
      await guarded(ctx, row, () => measureSearch(ctx, row, ask(ef, ns)));
    }
  }
}
