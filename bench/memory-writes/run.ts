/**
 * Memory writes benchmark (issue 14): single-insert latency at a small and a large table, ours
 * against a bare SQL INSERT of the same row, in one run, on one fresh database
 * `perf_memory_writes_bench`.
 *
 *   1. the built server (`node dist/src/main.js`, as bench:memory runs it); one POST /memories batch
 *      of BENCH_MEMORY_WRITES_SMALL (1,000) seeded 384-d vectors registers the model `bench-384` and
 *      creates its HNSW index (m 16, ef_construction 64);
 *   2. at the small point: rounds of (peer, ours), each BENCH_MEMORY_WRITES_SAMPLES sequential single
 *      inserts (see singles.ts), then a breakdown (breakdown.ts);
 *   3. fill with SQL to BENCH_MEMORY_WRITES_LARGE (100,000; 50,000 with BENCH_QUICK=1), the index
 *      rebuilt from its own definition (fill.ts);
 *   4. the same rounds and breakdown at the large point.
 * Prints markdown tables (stdout; progress on stderr) and writes bench/results/memory-writes.json.
 *
 *   npm run bench:memory-writes
 *   BENCH_QUICK=1 npm run bench:memory-writes                 # 1,000 vs 50,000, fewer samples (≈ 3 min)
 *   BENCH_MEMORY_WRITES_BUILD=0 npm run bench:memory-writes   # use the existing dist/ build
 * More: BENCH_MEMORY_WRITES_SMALL, _LARGE, _ROUNDS (3), _SAMPLES (100; quick 60), _WARMUP (30; quick 20), _BREAKDOWN (60; quick 30),
 * BENCH_MEMORY_SEED, BENCH_QUIET_CORES (0.5), BENCH_QUIET_WAIT (60 s; quick 10), BENCH_KEEP_DB=1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DIMENSIONS, generateDataset, NAMESPACES, vectorText } from '../memory/dataset';
import { batchJson, build, memoryJson, migrate, OursServer } from '../memory/ours-api';
import { formatMachine, machineInfo } from '../support/machine';
import { pgAdminConfig, pgQuery, recreateDatabase } from '../support/postgres';
import { stopAll } from '../support/process';
import { breakdown, repositoryMeansMs } from './breakdown';
import { fillTo } from './fill';
import { PointResult, renderReport, WritesResult } from './report';
import { readSettings, Settings } from './settings';
import { log, medianOf, Points, SingleInserts, waitForQuiet } from './singles';

const ROOT = resolve(__dirname, '..', '..');
export const DB = 'perf_memory_writes_bench';

/** One memory benchmark at a time on this PostgreSQL (bench:memory takes the same lock). */
async function exclusiveRun(): Promise<() => Promise<void>> {
  const client = new Client(pgAdminConfig('postgres'));
  client.on('error', (error) => log(`run lock connection: ${error.message}`));
  await client.connect();
  let waiting = false;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('cognition_os_bench_memory')) AS ok`);
    if (rows[0].ok) break;
    if (!waiting) log('bench:memory is running on this PostgreSQL: waiting for it to finish…');
    waiting = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return () => client.end().catch(() => undefined);
}

async function metrics(server: OursServer): Promise<string> {
  return (await server.api!.expect([200], 'GET', '/metrics')).text;
}

async function measurePoint(label: string, s: Settings, server: OursServer, points: Points): Promise<PointResult> {
  const busy = await waitForQuiet(s);
  log(`== ${label}: ${s.warmup} warm-up inserts each, then ${s.rounds} rounds × (peer, ours) × ${s.samples} inserts (machine busy ${busy.toFixed(2)} cores before)`);
  const singles = new SingleInserts(DB, server, points);
  await singles.connect();
  try {
    const before = await metrics(server);
    const rounds = await singles.interleaved(s.rounds, s.samples, s.warmup, { serverPid: server.pid });
    const repository = repositoryMeansMs(before, await metrics(server));
    log(`   breakdown: ${s.breakdownSamples} replayed transactions, EXPLAIN of the INSERTs`);
    const b = await breakdown(DB, points, s.breakdownSamples);
    log(`   replay ${b.replayTotalMs.toFixed(2)} ms (insert ${b.replayMs['insert memory'].toFixed(2)}, commit ${b.replayMs.commit.toFixed(2)}); EXPLAIN ours ${b.ours.executionMs.toFixed(2)} ms hit/read ${b.ours.sharedHit}/${b.ours.sharedRead}, peer ${b.peer.executionMs.toFixed(2)} ms hit/read ${b.peer.sharedHit}/${b.peer.sharedRead}`);
    return { label, ours: medianOf(rounds, 'ours'), peer: medianOf(rounds, 'peer'), rounds, breakdown: b, repository };
  } finally {
    await singles.end();
  }
}

async function benchmark(): Promise<void> {
  const s = readSettings();
  const machine = await machineInfo();
  const loadBefore = loadavg();
  const started = Date.now();
  const perPoint = 2 * (s.rounds * s.samples + s.warmup) + 2 * s.breakdownSamples;
  const vectors = s.large + perPoint * 2 + 100;
  log(`memory writes benchmark${s.quick ? ' (BENCH_QUICK)' : ''}: ${s.small} vs ${s.large} stored; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const ds = generateDataset({ vectors, queries: 1, clusters: s.clusters, subClusters: s.subClusters, seed: s.seed });
  const points = new Points(ds);
  const result: WritesResult = { errors: [] };

  log(`== database ${DB}: recreate and migrate`);
  await recreateDatabase(DB);
  await migrate(ROOT, DB);
  let server: OursServer | undefined;
  try {
    if (s.build) {
      log('== npm run build');
      await build(ROOT, true);
    }
    server = new OursServer({
      root: ROOT,
      database: DB,
      env: {
        EMBEDDING_PROVIDER: 'hashing',
        MEMORY_INDEX_TYPE: 'hnsw',
        MEMORY_HNSW_M: String(s.hnswM),
        MEMORY_HNSW_EF_CONSTRUCTION: String(s.hnswEfConstruction),
        MEMORY_MAINTENANCE_INTERVAL_MS: '86400000',
      },
    });
    await server.start({}, 4);
    for (let from = 0; from < s.small; from += 1000) {
      const items = points.take(Math.min(1000, s.small - from)).map((i) => memoryJson(i, NAMESPACES[ds.namespaceClass[i]], vectorText(ds.data, i)));
      await server.api!.expect([200, 201], 'POST', '/api/v3/memories', batchJson(items));
    }
    await pgQuery('VACUUM ANALYZE memories', DB);
    result.small = await measurePoint(s.small.toLocaleString('en-US'), s, server, points);
    log(`== fill to ${s.large.toLocaleString('en-US')} with SQL`);
    result.fill = await fillTo(DB, s.large, points);
    result.large = await measurePoint(s.large.toLocaleString('en-US'), s, server, points);
  } catch (error) {
    result.errors.push((error as Error).message);
    log(`FAILED: ${(error as Error).stack ?? error}`);
  } finally {
    await server?.stop();
    if (!s.keepDatabase) await pgQuery(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`).catch(() => undefined);
  }
  const totalSeconds = (Date.now() - started) / 1000;
  const header = [
    `## Memory writes benchmark${s.quick ? ' (BENCH_QUICK=1)' : ''}`,
    '',
    `- Date: ${new Date().toISOString()}`,
    formatMachine(machine),
    `- Load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; run took ${totalSeconds.toFixed(0)} s`,
    `- Data: seeded ${DIMENSIONS}-d vectors (bench/memory/dataset.ts, seed ${s.seed}); model \`bench-384\`, HNSW m ${s.hnswM}, ef_construction ${s.hnswEfConstruction}`,
    `- Server: built \`node dist/src/main.js\`, NODE_ENV=production, workers and scheduler off (the outbox relay runs in it)`,
  ].join('\n');
  console.log(renderReport(result, header));
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const json = { benchmark: 'memory-writes', date: new Date().toISOString(), machine, loadAverageBefore: loadBefore, totalSeconds, settings: s, ...result };
  writeFileSync(join(outDir, 'memory-writes.json'), `${JSON.stringify(json, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  console.log(`\nwritten ${join(outDir, 'memory-writes.json')}`);
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
    console.error(`\nbench:memory-writes FAILED: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
