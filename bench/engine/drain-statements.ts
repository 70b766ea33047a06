/**
 * Where PostgreSQL's time goes in a drain of ours: single no-op jobs enqueued in bulk, then drained by
 * one worker, with pg_stat_statements reset in between; prints the drain's jobs/s and, per
 * statement, calls, execution time, buffers and WAL records per job.
 *
 *   DB_HOST=127.0.0.1 N=20000 [BENCH_OURS=batched] npx ts-node -r tsconfig-paths/register bench/engine/drain-statements.ts
 *
 * BENCH_OURS=batched: the `ours-batched` configuration of bench:engine (WORKER_PREFETCH and
 * WORKER_BATCH_SIZE 500) instead of the defaults.
 *
 * Needs `shared_preload_libraries = 'pg_stat_statements'` (a restart), and
 * `pg_stat_statements.track = 'all'` to see the statements inside the engine's functions.
 */
import { Client } from 'pg';
import { freshBenchDatabase, nowMs } from './measure';
import { oursEntries } from './ours';

async function main(): Promise<void> {
  const db = await freshBenchDatabase('cognition_os_bench_drain_statements');
  const admin = new Client({ ...db.config, database: 'postgres' });
  await admin.connect();
  const { rows: preload } = await admin.query(`SELECT current_setting('shared_preload_libraries') AS libs`);
  if (!String(preload[0].libs).includes('pg_stat_statements')) throw new Error(`pg_stat_statements is not in shared_preload_libraries (${preload[0].libs || 'empty'}); see the header of this file`);
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const id = process.env.BENCH_OURS === 'batched' ? 'ours-batched' : 'ours';
  const engine = oursEntries.find((e) => e.id === id)!.create();
  await engine.setup({ db, concurrency: 10 });
  const n = Number(process.env.N ?? 20_000);
  try {
    await engine.throughput(2_000, { start: () => undefined, stop: () => undefined }); // warm-up
    await admin.query('SELECT pg_stat_statements_reset()');
    let t0 = 0;
    let ms = 0;
    await engine.throughput(n, { start: () => (t0 = nowMs()), stop: () => (ms = nowMs() - t0) });
    console.log(`drain of ${n} single jobs: ${ms.toFixed(0)} ms, ${((n / ms) * 1000).toFixed(0)} jobs/s (the bulk start before it is in the statements too)`);
    const { rows } = await admin.query(
      `SELECT calls, round((total_exec_time::numeric / $2::numeric * 1000), 1) AS us_per_job,
              round(((shared_blks_hit + shared_blks_read)::numeric / $2::numeric), 1) AS blocks_per_job,
              round((wal_records::numeric / $2::numeric), 1) AS wal_per_job,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS statement
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = $1 ORDER BY total_exec_time DESC LIMIT 20`,
      [db.name, n],
    );
    console.table(rows);
  } finally {
    await admin.end();
    await engine.teardown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
