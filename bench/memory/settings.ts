/** Settings of the memory benchmark, from the environment (see run.ts for the list). */

import { envFlag as flag, envInt as num } from '../support/env';

function numbers(name: string, fallback: string): number[] {
  return (process.env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: bad value "${s}"`);
      return n;
    });
}

export function readSettings() {
  /** BENCH_QUICK=1 (npm run bench -- --quick): 20,000 vectors loaded with SQL, 300 queries, fewer rounds; a few minutes. */
  const quick = flag('BENCH_QUICK', false);
  const vectors = num('BENCH_MEMORY_VECTORS', quick ? 20_000 : 60_000, 2_000);
  const s = {
    quick,
    vectors,
    queries: num('BENCH_MEMORY_QUERIES', quick ? 200 : 1_000, 10),
    clusters: num('BENCH_MEMORY_CLUSTERS', 300),
    subClusters: num('BENCH_MEMORY_SUBCLUSTERS', 20),
    seed: num('BENCH_MEMORY_SEED', 20_261_126),
    k: 10,
    efSearch: numbers('BENCH_MEMORY_EF', '20,40,80,160,320'),
    /** Concurrent clients of the ours-vs-raw comparison (each count measured). */
    clients: numbers('BENCH_MEMORY_CLIENTS', '1,4'),
    /** Rounds of (raw pass, ours pass) per cell of the comparison; medians. */
    rounds: num('BENCH_MEMORY_ROUNDS', 3),
    /** ef_search of the filtered comparisons (the reference used 40). */
    filterEf: num('BENCH_MEMORY_FILTER_EF', 40),
    /** Concurrent clients for every search measurement, raw and ours alike. */
    concurrency: num('BENCH_MEMORY_CONCURRENCY', 4),
    warmup: num('BENCH_MEMORY_WARMUP', quick ? 10 : 50, 0),
    /** Searches per filter and searcher before the comparison's first cell: the processes' JIT warm-up, not measured. */
    jitWarmup: num('BENCH_MEMORY_JIT_WARMUP', 1_000, 0),
    batchSize: num('BENCH_MEMORY_BATCH', 1_000),
    /** Batch requests in flight during the load (and the text write path). */
    loadConcurrency: num('BENCH_MEMORY_LOAD_CONCURRENCY', 2),
    /** Sequential single inserts measured at ~1,000 and at ~`vectors` stored memories. */
    singles: num('BENCH_MEMORY_SINGLES', 200),
    /** Texts embedded by the offline embedder on the write path (batches of `batchSize`). */
    texts: num('BENCH_MEMORY_TEXTS', quick ? 0 : 10_000, 0),
    /** Queries of the unfiltered exact-scan sanity row (checks the ground truth against PostgreSQL). */
    exactCheckQueries: num('BENCH_MEMORY_EXACT_CHECK', 50, 0),
    hnswM: 16,
    hnswEfConstruction: 64,
    /** 0: no server: load with SQL and measure only raw pgvector (before the memory API exists). */
    api: flag('BENCH_MEMORY_API', true),
    /** `sql`: load the vectors with SQL instead of POST /memories (no write-path numbers; searches still go through the API). */
    load: (process.env.BENCH_MEMORY_LOAD || (quick ? 'sql' : 'api')) as 'api' | 'sql',
    /** Rebuild dist/ before starting the server (default); 0 uses the existing build. */
    build: flag('BENCH_MEMORY_BUILD', true),
    keepDatabase: flag('BENCH_KEEP_DB', false),
    cpuProfile: flag('BENCH_MEMORY_CPU_PROFILE', false),
    /** Also measure raw pgvector behind a bare Fastify route in the comparison (a third pass per round). */
    httpRaw: flag('BENCH_MEMORY_HTTP_RAW', true),
    /** Also measure ours embedded: the memory module booted in the bench process, searched through the QueryBus (a fourth pass per round). */
    embedded: flag('BENCH_MEMORY_EMBEDDED', true),
    /** A window in which other programs used more CPU than this (cores) is contended: measured again. */
    foreignMaxCores: Number(process.env.BENCH_FOREIGN_MAX || 0.3),
    retries: num('BENCH_RETRIES', 1, 0),
    quietCores: Number(process.env.BENCH_QUIET_CORES || 0.3),
    /** The comparison interleaves raw and ours instead of waiting for a quiet machine; the write path still waits up to this. */
    quietWaitSeconds: num('BENCH_QUIET_WAIT', quick ? 0 : 30, 0),
  };
  if (s.load !== 'api' && s.load !== 'sql') throw new Error(`BENCH_MEMORY_LOAD must be api or sql, got "${s.load}"`);
  if (!s.api) s.load = 'sql';
  if (s.singles * 2 + s.batchSize >= vectors) throw new Error('BENCH_MEMORY_VECTORS too small for BENCH_MEMORY_BATCH and BENCH_MEMORY_SINGLES');
  if (s.warmup >= s.queries) s.warmup = Math.floor(s.queries / 10);
  s.concurrency = Math.max(s.concurrency, ...s.clients);
  return s;
}

export type Settings = ReturnType<typeof readSettings>;
