/**
 * What a single no-op job writes to PostgreSQL's WAL, ours batched against graphile-worker batched:
 * WAL bytes per job (from the insert position before and after a drain) and, when this process can
 * read the server's `pg_wal` directory and `pg_waldump` is found, the records per job by table (the
 * table's indexes, sequences and its heap counted together) and by kind of record. Written for the
 * decision on the engine target (docs/benchmarks.md, "Session of 2026-12-05, 20:13–23:13 UTC"):
 * PostgreSQL's work per job is the bound of the engine bench, and WAL records are a count of it.
 *
 *   DB_HOST=127.0.0.1 [N=20000] [PG_WAL_DIR=/var/lib/postgresql/15/main/pg_wal] \
 *     npx ts-node -r tsconfig-paths/register bench/engine/wal-per-job.ts
 *
 * Each engine drains `N` jobs (after 3,000 of warm-up) in a fresh database, after a CHECKPOINT so
 * that full-page images do not count what the warm-up left. Run it alone: the WAL position is the
 * whole server's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { ENGINES } from './engines';
import { freshBenchDatabase, nowMs } from './measure';
import { markdownTable } from '../support/table';

interface Drain {
  engine: string;
  jobsPerSecond: number;
  bytesPerJob: number;
  /** table → records per job, when pg_waldump could read the range. */
  records?: Map<string, number>;
  /** kind of record (e.g. Btree/INSERT_LEAF) → records per job. */
  kinds?: Map<string, number>;
}

const WAL_DIR = process.env.PG_WAL_DIR || '/var/lib/postgresql/15/main/pg_wal';
const WALDUMP = ['/usr/lib/postgresql/15/bin/pg_waldump', 'pg_waldump'].find((p) => p === 'pg_waldump' || existsSync(p))!;

async function drain(engineId: string, jobs: number): Promise<Drain> {
  const db = await freshBenchDatabase('cognition_os_bench_wal');
  const engine = ENGINES.find((e) => e.id === engineId)!.create();
  const client = new Client(db.config);
  try {
    await engine.setup({ db, concurrency: 10 });
    await engine.throughput(3000, { start: () => undefined, stop: () => undefined });
    await client.connect();
    await client.query('CHECKPOINT');
    const lsn = async () => (await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn;
    const from = await lsn();
    let t0 = 0;
    let ms = 0;
    await engine.throughput(jobs, { start: () => (t0 = nowMs()), stop: () => (ms = nowMs() - t0) });
    const to = await lsn();
    const [{ bytes }] = (await client.query<{ bytes: string }>('SELECT ($2::pg_lsn - $1::pg_lsn)::bigint AS bytes', [from, to])).rows;
    const relations = await relationNames(client);
    const dumped = waldump(from, to, relations, jobs);
    return { engine: engineId, jobsPerSecond: (jobs / ms) * 1000, bytesPerJob: Number(bytes) / jobs, ...dumped };
  } finally {
    await client.end().catch(() => undefined);
    await engine.teardown();
  }
}

/** filenode → the table it belongs to (an index or a sequence counts as its table). */
async function relationNames(client: Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ node: string; table: string }>(`
    SELECT pg_relation_filenode(c.oid)::text AS node, COALESCE(t.relname, s.relname, c.relname) AS table
    FROM pg_class c
    LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_depend d ON d.objid = c.oid AND c.relkind = 'S' AND d.deptype IN ('a', 'i') LEFT JOIN pg_class s ON s.oid = d.refobjid
    WHERE pg_relation_filenode(c.oid) IS NOT NULL
      AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema', 'pg_toast'))`);
  return new Map(rows.map((r) => [r.node, r.table]));
}

function waldump(from: string, to: string, relations: Map<string, string>, jobs: number): Pick<Drain, 'records' | 'kinds'> {
  let text: string;
  try {
    text = execFileSync(WALDUMP, ['-p', WAL_DIR, '-s', from, '-e', to], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return {};
  }
  const records = new Map<string, number>();
  const kinds = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1 / jobs);
  for (const line of text.split('\n')) {
    const kind = /^rmgr: (\S+).*desc: (\S+)/.exec(line);
    if (!kind) continue;
    const node = /rel \d+\/\d+\/(\d+)/.exec(line)?.[1];
    add(records, node ? (relations.get(node) ?? 'other') : kind[1] === 'Transaction' ? 'commits' : 'other');
    add(kinds, `${kind[1]}/${kind[2]}`);
  }
  return { records, kinds };
}

async function main(): Promise<void> {
  const jobs = Number(process.env.N || 20_000);
  const drains: Drain[] = [];
  for (const engine of ['graphile-worker-batched', 'ours-batched']) {
    process.stderr.write(`${engine} … `);
    const d = await drain(engine, jobs);
    process.stderr.write(`${d.jobsPerSecond.toFixed(0)} jobs/s, ${d.bytesPerJob.toFixed(0)} WAL bytes a job\n`);
    drains.push(d);
  }
  console.log(`\n${jobs.toLocaleString('en-US')} single no-op jobs each, concurrency 10\n`);
  console.log(
    markdownTable(
      ['engine', 'jobs/s', 'WAL bytes / job', 'WAL records / job'],
      drains.map((d) => [d.engine, d.jobsPerSecond.toFixed(0), d.bytesPerJob.toFixed(0), d.records ? sum(d.records).toFixed(1) : `(${WALDUMP} cannot read ${WAL_DIR})`]),
      ['l', 'r', 'r', 'r'],
    ),
  );
  for (const d of drains.filter((x) => x.records)) {
    console.log(`\n${d.engine}: WAL records per job by table, and the most frequent kinds\n`);
    console.log(markdownTable(['table', 'records / job'], top(d.records!, 12), ['l', 'r']));
    console.log('');
    console.log(markdownTable(['record', 'records / job'], top(d.kinds!, 8), ['l', 'r']));
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const top = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .filter(([, v]) => v >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [k, v.toFixed(2)]);

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
