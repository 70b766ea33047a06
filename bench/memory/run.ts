/**
 * Memory benchmark (issue 5): our memory API against raw pgvector on the same table and index, in
 * one run, on one fresh database `cognition_os_bench_memory`.
 *
 *   1. data: BENCH_MEMORY_VECTORS (100,000) seeded embedding-like 384-d vectors with cluster
 *      structure, BENCH_MEMORY_QUERIES (1,000) queries drawn the same way, exact top-10 by cosine
 *      brute-forced in worker threads (all points, the 10 % subtree `bench.ten`, the 1 % subtree
 *      `bench.ten.one`);
 *   2. load through our API: POST /memories batches of 1,000 with supplied vectors (model
 *      `bench-384`; the first batch creates the partial HNSW index, m 16, ef_construction 64);
 *      200 sequential single inserts after the first 1,000 and 200 at the end (p50 at ~1k and ~100k);
 *   3. unfiltered search sweeping ef_search: raw SQL through `pg` vs POST /memories/search (vector
 *      mode, supplied embedding, k 10, efSearch), same number of concurrent clients;
 *   4. filtered at 1 % and 10 %: raw plain WHERE, raw + hnsw.iterative_scan = relaxed_order, raw
 *      exact scan, and ours with its own filter strategy;
 *   5. write path: batches of 1,000 texts embedded by the offline hashing embedder.
 * Prints markdown tables and the targets (stdout; progress on stderr), writes bench/results/memory.json.
 *
 *   npm run bench:memory
 *   BENCH_MEMORY_VECTORS=20000 BENCH_MEMORY_QUERIES=300 BENCH_MEMORY_TEXTS=2000 npm run bench:memory   # quick
 *   BENCH_MEMORY_API=0 npm run bench:memory        # raw pgvector only, data loaded with SQL
 *   BENCH_MEMORY_LOAD=sql npm run bench:memory     # data loaded with SQL, searches through the API too
 *   BENCH_MEMORY_BUILD=0 npm run bench:memory      # use the existing dist/ build
 * More: BENCH_MEMORY_EF (10,20,40,80,160,320), BENCH_MEMORY_FILTER_EF (40), BENCH_MEMORY_CONCURRENCY (4),
 * BENCH_MEMORY_LOAD_CONCURRENCY (2), BENCH_MEMORY_BATCH (1000), BENCH_MEMORY_SINGLES (200),
 * BENCH_MEMORY_WARMUP (50; quick 10), BENCH_MEMORY_JIT_WARMUP (1000), BENCH_MEMORY_SEED, BENCH_KEEP_DB=1, BENCH_MEMORY_HTTP_RAW=0 / BENCH_MEMORY_EMBEDDED=0 (leave out
 * raw pgvector behind a bare Fastify route / ours embedded: the memory module booted in this process, searched through the QueryBus), BENCH_MEMORY_CPU_PROFILE=1 (profile our server; in
 * bench/results/profiles/, top functions of one unfiltered pass printed with the tables).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { formatMachine, machineInfo } from '../support/machine';
import { pgAdminConfig, pgQuery, recreateDatabase } from '../support/postgres';
import { stopAll } from '../support/process';
import { Context, DB, log, now } from './context';
import { DIMENSIONS, generateDataset, vectorText } from './dataset';
import { computeGroundTruth } from './ground-truth';
import { afterLoad, apiLoad, textWritePath } from './load';
import { OursServer, build, migrate } from './ours-api';
import { profileSections } from './profile';
import { RawSql } from './raw-sql';
import { MemoryBenchResult, renderReport } from './report';
import { rawSearches } from './searches';
import { compareSearches } from './compare';
import { HttpRawServer } from './http-raw';
import { EmbeddedOurs } from './embedded';
import { recallQpsSvg } from './compare-report';
import { readSettings } from './settings';
import { sqlLoad } from './sql-load';

const ROOT = resolve(__dirname, '..', '..');

// ── main ──────────────────────────────────────────────────────────────────────────────────────────

/** One benchmark at a time on this PostgreSQL: the memory lock, and the engine benchmark's too. */
async function exclusiveRun(): Promise<() => Promise<void>> {
  const client = new Client(pgAdminConfig('postgres'));
  client.on('error', (error) => log(`run lock connection: ${error.message}`));
  await client.connect();
  let waiting = false;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext('perf_memory_search_bench')) AS ok`,
    );
    if (rows[0].ok) break;
    await client.query(`SELECT pg_advisory_unlock_all()`);
    if (!waiting) log('another benchmark (bench:memory or bench:engine) is running on this PostgreSQL: waiting for it to finish…');
    waiting = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return () => client.end().catch(() => undefined);
}

async function benchmark(): Promise<void> {
  const s = readSettings();
  const machine = await machineInfo();
  const loadBefore = loadavg();
  const started = Date.now();
  log(`memory benchmark: ${s.vectors} × ${DIMENSIONS} vectors, ${s.queries} queries, ef_search ${s.efSearch.join(',')}, ${s.concurrency} clients; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

  log('== data and ground truth');
  let t = now();
  const ds = generateDataset({ vectors: s.vectors, queries: s.queries, clusters: s.clusters, subClusters: s.subClusters, seed: s.seed });
  log(`   generated in ${((now() - t) / 1000).toFixed(1)} s`);
  let shown = 0;
  const gt = await computeGroundTruth(ds, s.k, (p) => {
    if (p - shown >= 0.25) log(`   ground truth ${(100 * (shown = p)).toFixed(0)} %`);
  });
  log(`   exact top-${s.k} (all, 10 %, 1 %) in ${gt.seconds.toFixed(1)} s on ${gt.threads} threads`);
  const queryText = Array.from({ length: s.queries }, (_, q) => vectorText(ds.queries, q));

  const result: MemoryBenchResult = { settings: s, loadedBy: s.load, search: [], errors: [] };
  const ctx: Context = { s, ds, gt, queryText, ids: new Map(), raw: new RawSql(DB, s.concurrency), result };

  log(`== database ${DB}: recreate and migrate`);
  await recreateDatabase(DB);
  await migrate(ROOT, DB);
  const profileDir = s.cpuProfile ? join(ROOT, 'bench', 'results', 'profiles', `memory-${Date.now()}`) : undefined;
  const serverEnv = {
    EMBEDDING_PROVIDER: 'hashing',
    MEMORY_INDEX_TYPE: 'hnsw',
    MEMORY_HNSW_M: String(s.hnswM),
    MEMORY_HNSW_EF_CONSTRUCTION: String(s.hnswEfConstruction),
    MEMORY_MAINTENANCE_INTERVAL_MS: '86400000',
  };
  try {
    if (s.api) {
      if (s.build) {
        log('== npm run build');
        t = now();
        await build(ROOT, !s.quick);
        log(`   built in ${((now() - t) / 1000).toFixed(0)} s`);
      }
      ctx.server = new OursServer({ root: ROOT, database: DB, env: serverEnv, profileDir });
      await ctx.server.start({}, Math.max(s.concurrency, s.loadConcurrency) + 2);
      const missing = await ctx.server.missingEndpoints(s.load === 'api');
      if (missing.length) throw new Error(`the memory API is not there yet: ${missing.join(', ')} (BENCH_MEMORY_API=0 measures raw pgvector alone)`);
    }
    if (s.load === 'api') {
      log('== load through POST /memories');
      await apiLoad(ctx);
    } else {
      log(`== load with SQL (BENCH_MEMORY_${s.api ? 'LOAD=sql: no write-path numbers' : 'API=0: raw pgvector only'})`);
      const [key] = s.api ? await pgQuery<{ tenant_id: string }>('SELECT tenant_id FROM api_keys LIMIT 1', DB) : [];
      result.sqlLoad = await sqlLoad(DB, ds, { m: s.hnswM, efConstruction: s.hnswEfConstruction }, key?.tenant_id);
      log(`   ${result.sqlLoad.loadSeconds.toFixed(1)} s, index ${result.sqlLoad.indexSeconds.toFixed(1)} s`);
    }
    await afterLoad(ctx);
    await ctx.raw.connect();
    await ctx.raw.noParallelQuery();
    if (ctx.server && s.httpRaw) {
      ctx.httpRaw = new HttpRawServer(ROOT, DB);
      await ctx.httpRaw.start(s.k, Math.max(...s.clients), Math.max(...s.clients) + 2);
    }
    if (ctx.server && s.embedded) {
      ctx.embedded = new EmbeddedOurs(ROOT, DB);
      await ctx.embedded.start(serverEnv);
    }
    if (ctx.server) {
      log(`== ours vs raw pgvector, interleaved: ${s.clients.join(' and ')} client(s), unfiltered / 1 % / 10 %, ef_search ${s.efSearch.join(',')}, ${s.rounds} rounds`);
      try {
        result.compare = await compareSearches(ctx, { clients: s.clients, subsets: ['all', 'one', 'ten'], efSearch: s.efSearch, rounds: s.rounds, warmup: s.warmup, jitWarmup: s.jitWarmup });
      } catch (error) {
        result.errors.push(`comparison: ${(error as Error).message}`);
        log(`   FAILED comparison: ${(error as Error).stack ?? error}`);
      }
      await ctx.raw.end();
      if (s.load === 'api' && s.texts > 0) await textWritePath(ctx);
    } else {
      await rawSearches(ctx);
      await ctx.raw.end();
    }
  } catch (error) {
    result.errors.push((error as Error).message);
    log(`FAILED: ${(error as Error).stack ?? error}`);
  } finally {
    await ctx.raw.end();
    await ctx.httpRaw?.stop();
    await ctx.embedded?.stop();
    await ctx.server?.stop();
    if (profileDir) result.profile = profileSections(profileDir, result);
    if (!s.keepDatabase) await pgQuery(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`).catch(() => undefined);
  }
  const totalSeconds = (Date.now() - started) / 1000;

  const header = [
    '## Memory benchmark',
    '',
    formatMachine(machine),
    `- Load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; run took ${totalSeconds.toFixed(0)} s`,
    `- Data: ${s.vectors.toLocaleString('en-US')} × ${DIMENSIONS} vectors (seed ${s.seed}, ${s.clusters} clusters × ${s.subClusters} sub-clusters), ${s.queries.toLocaleString('en-US')} queries, exact top-${s.k} in ${gt.seconds.toFixed(0)} s`,
    `- Loaded by: ${result.loadedBy === 'api' ? `POST /memories, batches of ${s.batchSize}, ${s.loadConcurrency} in flight` : 'SQL, index built after the load (BENCH_MEMORY_LOAD=sql or BENCH_MEMORY_API=0: not the API write path)'}`,
    result.index ? `- Index: \`${result.index.definition}\` (${result.index.sizeMB.toFixed(0)} MB; table with all indexes ${result.index.tableMB.toFixed(0)} MB)` : '- Index: –',
    `- Search: ${s.clients.join(' and ')} concurrent client(s) for raw and ours alike, ${s.rounds} interleaved rounds (raw pass, ours pass) per cell, medians; ${s.jitWarmup} searches per filter and searcher before the first cell (JIT warm-up), ${s.warmup} warm-up queries before each pass; ours sets ef_search with \`efSearch\` in the request`,
    `- Mode: ${s.quick ? 'quick (BENCH_QUICK=1)' : 'full'}`,
  ].join('\n');
  const report = renderReport(result, header);
  console.log(report);
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const json = { benchmark: 'memory', date: new Date().toISOString(), machine, loadAverageBefore: loadBefore, totalSeconds, groundTruthSeconds: gt.seconds, ...result };
  if (result.compare?.length) {
    const svgPath = process.env.BENCH_MEMORY_SVG || join(outDir, 'memory-recall-qps.svg');
    const when = new Date().toISOString().slice(0, 10);
    writeFileSync(svgPath, recallQpsSvg(result.compare, `Memory search, ${s.vectors.toLocaleString('en-US')} × ${DIMENSIONS}, unfiltered (${when}, ${machine.cpuCount} vCPU, ${machine.postgres.split(' ').slice(0, 2).join(' ')})`));
    console.log(`written ${svgPath}`);
  }
  writeFileSync(join(outDir, 'memory.json'), `${JSON.stringify(json, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  console.log(`\nwritten ${join(outDir, 'memory.json')}`);
  if (result.errors.length) throw new Error(`${result.errors.length} error(s): see above`);
}

async function main(): Promise<void> {
  const release = await exclusiveRun();
  try {
    await benchmark();
  } finally {
    await release();
  }
}

main()
  .catch((error: Error) => {
    console.error(`\nbench:memory FAILED: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
