/**
 * Sequential single inserts, ours against the bare SQL INSERT peer, in interleaved rounds
 * (peer, ours, peer, ours …). Ours: POST /api/v3/memories of one memory with a supplied 384-d
 * vector through the built server. Peer: one autocommit `INSERT` of the same row through `pg`
 * (named prepared statement; with its WAL flush like ours; no HTTP, no validation, no events), which
 * puts the vector into the HNSW index before it answers.
 *
 * Each round's CPU is read from /proc (server process, the database's PostgreSQL backends and
 * background processes, this process, everything else). Ours' window includes waiting for the
 * rows it wrote to be in the vector index (when the server indexes them behind the write), so its
 * CPU per insert counts that work too.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { machineBusyCores } from '../engine/cpu';
import { CpuWindow, cpuSnapshot, cpuWindow, percentile } from '../memory/closed-loop';
import { Dataset, NAMESPACES, vectorText } from '../memory/dataset';
import { memoryJson, OursServer } from '../memory/ours-api';
import { MODEL } from '../memory/raw-sql';
import { pgAdminConfig } from '../support/postgres';
import { Settings } from './settings';

export const log = (message: string) => process.stderr.write(`${message}\n`);
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Side = 'ours' | 'peer';

export interface Round {
  side: Side;
  round: number;
  storedBefore: number;
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Cores used during the round (and, for ours, until its rows were indexed). */
  cpu: CpuWindow;
  /** CPU ms per insert: server process, PostgreSQL (backends of the bench database + background), this process. */
  cpuMsPerInsert: { server: number; postgres: number; client: number };
  /** Ours: ms from the last answer until none of the rows waited for the vector index (0 when none did). */
  indexLagMs?: number;
  seconds: number;
}

/** Hands out data points in order, so every point is stored once. */
export class Points {
  next = 0;
  constructor(readonly ds: Dataset) {}
  take(n: number): number[] {
    if (this.next + n > this.ds.options.vectors) throw new Error('dataset exhausted');
    const out = Array.from({ length: n }, (_, j) => this.next + j);
    this.next += n;
    return out;
  }
}

/** Whether a client's schema has `memories.vector_pending`, asked once per client: the poll below runs every 5 ms while the indexer works, and its PostgreSQL CPU counts in the window. */
const hasPendingColumn = new WeakMap<Client, boolean>();

/** Rows not yet in their model's vector index (0 when the schema has no such notion). */
export async function pendingRows(client: Client): Promise<number> {
  let has = hasPendingColumn.get(client);
  if (has === undefined) {
    const { rows } = await client.query<{ has: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'memories' AND column_name = 'vector_pending') AS has`,
    );
    has = rows[0].has;
    hasPendingColumn.set(client, has);
  }
  if (!has) return 0;
  const { rows: n } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM memories WHERE vector_pending`);
  return n[0].n;
}

export async function waitForQuiet(s: Settings): Promise<number> {
  const deadline = Date.now() + s.quietWaitSeconds * 1000;
  let busy = await machineBusyCores(500);
  while (busy > s.quietCores && Date.now() < deadline) busy = await machineBusyCores(1000);
  return busy;
}

function summary(side: Side, round: number, storedBefore: number, ms: number[], cpu: CpuWindow, seconds: number): Round {
  const perInsert = (cores: number) => (cores * seconds * 1000) / ms.length;
  return {
    side,
    round,
    storedBefore,
    samples: ms.length,
    p50Ms: percentile(ms, 50),
    p90Ms: percentile(ms, 90),
    p99Ms: percentile(ms, 99),
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    cpu,
    cpuMsPerInsert: { server: perInsert(cpu.server), postgres: perInsert(cpu.postgres), client: perInsert(cpu.client) },
    seconds,
  };
}

export class SingleInserts {
  private peer?: Client;
  private admin?: Client;
  private tenantId = '';

  constructor(
    private readonly database: string,
    private readonly server: OursServer,
    private readonly points: Points,
  ) {}

  async connect(): Promise<void> {
    this.peer = new Client(pgAdminConfig(this.database));
    this.admin = new Client(pgAdminConfig(this.database));
    await this.peer.connect();
    await this.admin.connect();
    const { rows } = await this.admin.query<{ tenant_id: string }>(`SELECT tenant_id FROM memories WHERE embedding_model = $1 LIMIT 1`, [MODEL]);
    if (!rows.length) throw new Error('no memory of the bench model yet: load the first batch before single inserts');
    this.tenantId = rows[0].tenant_id;
  }

  async end(): Promise<void> {
    await this.peer?.end().catch(() => undefined);
    await this.admin?.end().catch(() => undefined);
  }

  async stored(): Promise<number> {
    const { rows } = await this.admin!.query<{ n: number }>(`SELECT count(*)::int AS n FROM memories`);
    return rows[0].n;
  }

  /** `warmup` unmeasured inserts per side (caches, plans, the first pages touched after a checkpoint), then `rounds` × (peer, ours), `samples` inserts each. */
  async interleaved(rounds: number, samples: number, warmup: number, probes: { serverPid?: number }): Promise<Round[]> {
    if (warmup > 0) {
      await this.bare(0, warmup, await this.stored(), probes);
      await this.ours(0, warmup, await this.stored(), probes);
    }
    const out: Round[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const side of ['peer', 'ours'] as const) {
        const before = await this.stored();
        const r = side === 'ours' ? await this.ours(round, samples, before, probes) : await this.bare(round, samples, before, probes);
        log(
          `   ${side.padEnd(4)} round ${round} at ${before.toLocaleString('en-US')}: p50 ${r.p50Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)}, p99 ${r.p99Ms.toFixed(2)}` +
            ` | CPU ms/insert server ${r.cpuMsPerInsert.server.toFixed(2)} pg ${r.cpuMsPerInsert.postgres.toFixed(2)} | other ${r.cpu.foreign.toFixed(2)} cores` +
            (r.indexLagMs !== undefined ? ` | indexed ${r.indexLagMs.toFixed(0)} ms after the last answer` : ''),
        );
        out.push(r);
      }
    }
    return out;
  }

  private async ours(round: number, samples: number, storedBefore: number, probes: { serverPid?: number }): Promise<Round> {
    const api = this.server.api!;
    const ds = this.points.ds;
    const bodies = this.points.take(samples).map((i) => memoryJson(i, NAMESPACES[ds.namespaceClass[i]], vectorText(ds.data, i)));
    const ms: number[] = [];
    const c0 = cpuSnapshot({ database: this.database, serverPid: probes.serverPid });
    const t0 = now();
    for (const body of bodies) {
      const r0 = now();
      await api.expect([200, 201], 'POST', '/api/v3/memories', body);
      ms.push(now() - r0);
    }
    const answered = now();
    let pending = await pendingRows(this.admin!);
    const waited = pending > 0;
    while (pending > 0) {
      if (now() - answered > 120_000) throw new Error(`${pending} rows still wait for the vector index 120 s after the last insert`);
      await sleep(5);
      pending = await pendingRows(this.admin!);
    }
    const done = now();
    const r = summary('ours', round, storedBefore, ms, cpuWindow(c0, cpuSnapshot({ database: this.database, serverPid: probes.serverPid })), (done - t0) / 1000);
    return { ...r, indexLagMs: waited ? done - answered : 0 };
  }

  private async bare(round: number, samples: number, storedBefore: number, probes: { serverPid?: number }): Promise<Round> {
    const ds = this.points.ds;
    const points = this.points.take(samples);
    const ms: number[] = [];
    const c0 = cpuSnapshot({ database: this.database, serverPid: probes.serverPid });
    const t0 = now();
    for (const i of points) {
      const r0 = now();
      await this.peer!.query({
        name: 'bench_bare_insert',
        text: `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank, metadata)
               VALUES ($1, $2, $3, 'knowledge', 'global', $4::ltree, $5::vector, '${MODEL}', 'active', 'medium', 2, $6::jsonb)`,
        values: [uuidv7(), this.tenantId, `bench vector ${i}`, NAMESPACES[ds.namespaceClass[i]], vectorText(ds.data, i), `{"i":${i},"peer":true}`],
      });
      ms.push(now() - r0);
    }
    const seconds = (now() - t0) / 1000;
    return summary('peer', round, storedBefore, ms, cpuWindow(c0, cpuSnapshot({ database: this.database, serverPid: probes.serverPid })), seconds);
  }
}

/** Median of the rounds' p50 (and the others), per side. */
export function medianOf(rounds: Round[], side: Side) {
  const mine = rounds.filter((r) => r.side === side);
  const med = (pick: (r: Round) => number) => percentile(mine.map(pick), 50);
  return {
    side,
    rounds: mine.length,
    samples: mine.reduce((a, r) => a + r.samples, 0),
    storedFrom: Math.min(...mine.map((r) => r.storedBefore)),
    storedTo: Math.max(...mine.map((r) => r.storedBefore + r.samples)),
    p50Ms: med((r) => r.p50Ms),
    p90Ms: med((r) => r.p90Ms),
    p99Ms: med((r) => r.p99Ms),
    meanMs: med((r) => r.meanMs),
    serverCpuMs: med((r) => r.cpuMsPerInsert.server),
    postgresCpuMs: med((r) => r.cpuMsPerInsert.postgres),
    foreignCores: med((r) => r.cpu.foreign),
    indexLagMs: side === 'ours' ? med((r) => r.indexLagMs ?? 0) : undefined,
    roundP50s: mine.map((r) => r.p50Ms),
  };
}

export type SideSummary = ReturnType<typeof medianOf>;
