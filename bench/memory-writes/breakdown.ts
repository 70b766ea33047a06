/**
 * Where an insert's time goes at one size, outside the server:
 *   - replay: our insert transaction statement by statement through `pg`, each round trip timed
 *     (BEGIN, the TTL-policy lookup, the repository's INSERT of one row, the outbox INSERT of its
 *     two events, COMMIT), the same statements the server sends (INSERT_MANY, DEFAULT_TTL_DAYS and
 *     insertManyParams are imported from src/);
 *   - EXPLAIN (ANALYZE, BUFFERS, WAL) of that INSERT and of the peer's bare INSERT, each in a
 *     transaction rolled back: execution time, shared buffers hit / read (a read is a page
 *     PostgreSQL had to fetch from the OS: not in shared_buffers), pages dirtied, WAL bytes.
 * And, from the server itself, the mean time of its repository calls (GET /metrics before and after).
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { MemoryState } from '@cognition/memory/domain/memory.aggregate';
import { DEFAULT_TTL_DAYS, INSERT_MANY, insertManyParams } from '@cognition/memory/infrastructure/memory-insert.sql';
import { vectorSearchSql } from '@cognition/memory/infrastructure/memory-search.sql';
import { percentile } from '../memory/closed-loop';
import { NAMESPACES, vectorText } from '../memory/dataset';
import { MODEL } from '../memory/raw-sql';
import { pgAdminConfig } from '../support/postgres';
import { Points } from './singles';

export const STEPS = ['begin', 'ttl lookup', 'insert memory', 'insert events', 'commit'] as const;

export interface Explained {
  executionMs: number;
  sharedHit: number;
  sharedRead: number;
  dirtied: number;
  walBytes: number;
}

export interface Breakdown {
  storedBefore: number;
  samples: number;
  /** Median ms per step of the replayed transaction. */
  replayMs: Record<(typeof STEPS)[number], number>;
  replayTotalMs: number;
  /** Medians over the EXPLAINed inserts. */
  ours: Explained;
  peer: Explained;
  /** One unfiltered vector search (k 10, ef_search 40, iterative scan), median ms: the index statement alone, and with the pending-rows branch (as the server sends it now). */
  search: { samples: number; indexOnlyMs: number; withPendingMs: number };
}

/** `domain_events` as OutboxWriter writes it (src/platform/outbox/outbox.writer.ts), two events per memory. */
const OUTBOX_INSERT = `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8), ($9, $10, $11, $12, $13, $14::jsonb, $15, $16)`;

const PEER_INSERT = `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank, metadata)
  VALUES ($1, $2, $3, 'knowledge', 'global', $4::ltree, $5::vector, '${MODEL}', 'active', 'medium', 2, $6::jsonb)`;

function state(points: Points, i: number, tenantId: string): MemoryState {
  const ds = points.ds;
  const row = i * ds.dims;
  const now = new Date();
  return {
    id: uuidv7(),
    tenantId,
    content: `bench vector ${i}`,
    memoryType: 'knowledge',
    scope: 'global',
    namespace: NAMESPACES[ds.namespaceClass[i]],
    userId: null,
    agentId: null,
    sessionId: null,
    status: 'active',
    importance: 'medium',
    metadata: { i, replay: true },
    tags: [],
    embedding: Array.from(ds.data.subarray(row, row + ds.dims), (x) => Math.round(x * 1e4) / 1e4),
    embeddingModel: MODEL,
    accessCount: 0,
    lastAccessedAt: null,
    expiresAt: null,
    summaryOf: [],
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    revision: 0,
  };
}

function events(s: MemoryState): unknown[] {
  const base = { memoryId: s.id, namespace: s.namespace, memoryType: s.memoryType, scope: s.scope, importance: s.importance, embeddingModel: s.embeddingModel };
  return [
    ...[uuidv7(), s.tenantId, 'memory.created', 'memory', s.id, JSON.stringify(base), s.createdAt, null],
    ...[uuidv7(), s.tenantId, 'memory.embedding_generated', 'memory', s.id, JSON.stringify({ memoryId: s.id, embeddingModel: s.embeddingModel }), s.createdAt, null],
  ];
}

function explained(json: any): Explained {
  const top = json[0];
  const plan = top.Plan;
  return {
    executionMs: top['Execution Time'],
    sharedHit: plan['Shared Hit Blocks'] ?? 0,
    sharedRead: plan['Shared Read Blocks'] ?? 0,
    dirtied: plan['Shared Dirtied Blocks'] ?? 0,
    walBytes: plan['WAL Bytes'] ?? 0,
  };
}

function medianExplained(all: Explained[]): Explained {
  const m = (pick: (e: Explained) => number) => percentile(all.map(pick), 50);
  return { executionMs: m((e) => e.executionMs), sharedHit: m((e) => e.sharedHit), sharedRead: m((e) => e.sharedRead), dirtied: m((e) => e.dirtied), walBytes: m((e) => e.walBytes) };
}

export async function breakdown(database: string, points: Points, samples: number): Promise<Breakdown> {
  const client = new Client(pgAdminConfig(database));
  await client.connect();
  try {
    const [{ tenant_id: tenantId, n }] = (
      await client.query<{ tenant_id: string; n: number }>(`SELECT (SELECT tenant_id FROM memories WHERE embedding_model = $1 LIMIT 1) AS tenant_id, (SELECT count(*)::int FROM memories) AS n`, [MODEL])
    ).rows;
    const steps: Record<string, number[]> = Object.fromEntries(STEPS.map((s) => [s, []]));
    const totals: number[] = [];
    const timed = async (step: (typeof STEPS)[number], run: () => Promise<unknown>) => {
      const t0 = performance.now();
      await run();
      steps[step].push(performance.now() - t0);
    };
    for (const i of points.take(samples)) {
      const s = state(points, i, tenantId);
      const t0 = performance.now();
      await timed('begin', () => client.query('BEGIN'));
      await timed('ttl lookup', () => client.query({ name: 'replay_ttl', text: DEFAULT_TTL_DAYS, values: [tenantId, [s.namespace]] }));
      await timed('insert memory', () => client.query({ name: 'replay_insert', text: INSERT_MANY, values: insertManyParams([s], true) }));
      await timed('insert events', () => client.query({ name: 'replay_events', text: OUTBOX_INSERT, values: events(s) }));
      await timed('commit', () => client.query('COMMIT'));
      totals.push(performance.now() - t0);
    }
    const ours: Explained[] = [];
    const peer: Explained[] = [];
    const explain = async (text: string, values: unknown[]) => {
      await client.query('BEGIN');
      try {
        return explained((await client.query(`EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ${text}`, values)).rows[0]['QUERY PLAN']);
      } finally {
        await client.query('ROLLBACK');
      }
    };
    // Each its own point: an aborted insert leaves its vector in the HNSW graph, and pgvector adds
    // an identical vector to the existing element (no graph walk to link it), which is far cheaper.
    const pairs = Math.max(5, Math.floor(samples / 2));
    const mine = points.take(pairs);
    const theirs = points.take(pairs);
    for (let k = 0; k < pairs; k++) {
      const ds = points.ds;
      const i = theirs[k];
      ours.push(await explain(INSERT_MANY, insertManyParams([state(points, mine[k], tenantId)], true)));
      peer.push(await explain(PEER_INSERT, [uuidv7(), tenantId, `bench vector ${i}`, NAMESPACES[ds.namespaceClass[i]], vectorText(ds.data, i), `{"i":${i},"peer":true}`]));
    }
    const search = await searchCost(client, points, tenantId, samples * 3);
    const replayMs = Object.fromEntries(STEPS.map((step) => [step, percentile(steps[step], 50)])) as Breakdown['replayMs'];
    return { storedBefore: n, samples, replayMs, replayTotalMs: percentile(totals, 50), ours: medianExplained(ours), peer: medianExplained(peer), search };
  } finally {
    await client.end();
  }
}

/**
 * What the pending-rows branch adds to a search: the index statement alone (the exact statement's
 * text without its `+ 0`, on the indexed rows) and as the server sends it now, alternating, same vectors.
 */
async function searchCost(client: Client, points: Points, tenantId: string, samples: number): Promise<Breakdown['search']> {
  await client.query(`SET hnsw.iterative_scan = relaxed_order; SET hnsw.ef_search = 40; SET max_parallel_workers_per_gather = 0`);
  const ds = points.ds;
  const statement = (i: number, strategy: 'exact' | 'index') => {
    const row = i * ds.dims;
    const vector = Array.from(ds.data.subarray(row, row + ds.dims), (x) => Math.round(x * 1e4) / 1e4);
    return vectorSearchSql({ tenantId, filters: {}, model: MODEL, dimensions: ds.dims, vector, limit: 10, strategy });
  };
  const before: number[] = [];
  const now: number[] = [];
  const time = async (text: string, params: unknown[], name: string, into: number[]) => {
    const t0 = performance.now();
    await client.query({ name, text, values: params });
    into.push(performance.now() - t0);
  };
  // Query vectors from the data set's points (already stored: the nearest is the point itself).
  for (let i = 0; i < samples; i++) {
    const exact = statement(i, 'exact');
    const current = statement(i, 'index');
    const indexOnly = exact.text.replace(' + 0', '').replace('\nORDER BY', ' AND NOT m.vector_pending\nORDER BY');
    // Each first half of the time: the second search of a vector finds its pages in cache.
    const a = () => time(indexOnly, exact.params, 'search_index_only', before);
    const b = () => time(current.text, current.params, 'search_with_pending', now);
    if (i % 2 === 0) await a().then(b);
    else await b().then(a);
  }
  return { samples, indexOnlyMs: percentile(before, 50), withPendingMs: percentile(now, 50) };
}

/** Sum and count of every `cognitionos_repository_operation_duration_seconds` series of the memory repository. */
export function repositoryTimes(metricsText: string): Map<string, { sum: number; count: number }> {
  const out = new Map<string, { sum: number; count: number }>();
  const re = /^cognitionos_repository_operation_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.eE+-]+)$/gm;
  for (const m of metricsText.matchAll(re)) {
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.repository !== 'memory') continue;
    const entry = out.get(labels.method) ?? { sum: 0, count: 0 };
    entry[m[1] as 'sum' | 'count'] = Number(m[3]);
    out.set(labels.method, entry);
  }
  return out;
}

/** Mean ms per call of each repository method between two scrapes. */
export function repositoryMeansMs(before: string, after: string): Record<string, { calls: number; meanMs: number }> {
  const a = repositoryTimes(before);
  const out: Record<string, { calls: number; meanMs: number }> = {};
  for (const [method, b] of repositoryTimes(after)) {
    const calls = b.count - (a.get(method)?.count ?? 0);
    if (calls > 0) out[method] = { calls, meanMs: ((b.sum - (a.get(method)?.sum ?? 0)) * 1000) / calls };
  }
  return out;
}
