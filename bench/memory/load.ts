/** Writes through our API: the timed load, single inserts (ours and raw SQL), the text write path. */
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { pgAdminConfig } from '../support/postgres';
import { cpuSnapshot, cpuWindow, percentile } from './closed-loop';
import { Context, DB, log, now, probes, waitForQuiet } from './context';
import { Dataset, NAMESPACES, syntheticTexts, vectorText } from './dataset';
import { batchJson, memoryJson, textBatchJson } from './ours-api';
import { MODEL } from './raw-sql';
import { SingleInserts, TimedLoad } from './report';

/** Sends prepared batch bodies, `concurrency` in flight, timing each request and the whole. */
async function timedBatches(ctx: Context, bodies: string[], sizes: number[], concurrency: number): Promise<TimedLoad> {
  const api = ctx.server!.api!;
  const done: Array<{ at: number; ms: number; size: number }> = new Array(bodies.length);
  let next = 0;
  const c0 = cpuSnapshot(probes(ctx));
  const t0 = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= bodies.length) return;
        const r0 = now();
        await api.expect([200, 201], 'POST', '/api/v3/memories', bodies[i]);
        done[i] = { at: now() - t0, ms: now() - r0, size: sizes[i] };
        if ((i + 1) % 10 === 0) log(`   ${i + 1}/${bodies.length} batches, ${(((sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)) / (now() - t0)) * 1000).toFixed(0)} memories/s`);
      }
    }),
  );
  const seconds = (now() - t0) / 1000;
  const cpu = cpuWindow(c0, cpuSnapshot(probes(ctx)));
  const memories = sizes.reduce((a, b) => a + b, 0);
  const tenth = Math.max(1, Math.floor(bodies.length / 10));
  const rate = (slice: typeof done) => (slice.reduce((a, b) => a + b.size, 0) / slice.reduce((a, b) => a + b.ms, 0)) * 1000 * concurrency;
  return {
    memories,
    requests: bodies.length,
    batchSize: Math.max(...sizes),
    concurrency,
    seconds,
    perSecond: memories / seconds,
    requestP50Ms: percentile(done.map((d) => d.ms), 50),
    requestP99Ms: percentile(done.map((d) => d.ms), 99),
    firstTenthPerSecond: bodies.length >= 10 ? rate(done.slice(0, tenth)) : undefined,
    lastTenthPerSecond: bodies.length >= 10 ? rate(done.slice(-tenth)) : undefined,
    cpu,
  };
}

async function singleInserts(ctx: Context, from: number, count: number, storedBefore: number): Promise<SingleInserts> {
  const api = ctx.server!.api!;
  const bodies = Array.from({ length: count }, (_, j) => memoryJson(from + j, NAMESPACES[ctx.ds.namespaceClass[from + j]], vectorText(ctx.ds.data, from + j)));
  const ms: number[] = [];
  const from0 = Number(process.hrtime.bigint() / 1000n);
  for (const body of bodies) {
    const t0 = now();
    await api.expect([200, 201], 'POST', '/api/v3/memories', body);
    ms.push(now() - t0);
  }
  const windowUs = { from: from0, to: Number(process.hrtime.bigint() / 1000n) };
  const r = { storedBefore, samples: count, p50Ms: percentile(ms, 50), p90Ms: percentile(ms, 90), p99Ms: percentile(ms, 99), meanMs: ms.reduce((a, b) => a + b, 0) / count, windowUs };
  log(`   ${count} single inserts at ${storedBefore} stored: p50 ${r.p50Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
  return r;
}

/**
 * The storage limit of a single insert: one INSERT of the same row through `pg` (autocommit, so
 * with its WAL flush like ours), no HTTP, no event, no validation. The rows go to namespace
 * `bench_raw` and are deleted before the searches (VACUUM then drops them from the index).
 */
async function rawSingleInserts(ctx: Context, from: number, count: number, storedBefore: number): Promise<SingleInserts> {
  const client = new Client(pgAdminConfig(DB));
  await client.connect();
  try {
    const [{ tenant_id: tenant }] = (await client.query<{ tenant_id: string }>('SELECT tenant_id FROM memories LIMIT 1')).rows;
    const ms: number[] = [];
    for (let j = 0; j < count; j++) {
      const t0 = now();
      await client.query({
        name: 'bench_raw_insert',
        text: `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank, metadata)
               VALUES ($1, $2, $3, 'knowledge', 'global', 'bench_raw', $4::vector, '${MODEL}', 'active', 'medium', 2, '{"raw": true}')`,
        values: [uuidv7(), tenant, `bench raw insert ${from + j}`, vectorText(ctx.ds.data, from + j)],
      });
      ms.push(now() - t0);
    }
    const r = { storedBefore, samples: count, p50Ms: percentile(ms, 50), p90Ms: percentile(ms, 90), p99Ms: percentile(ms, 99), meanMs: ms.reduce((a, b) => a + b, 0) / count };
    log(`   ${count} raw single INSERTs at ${storedBefore} stored: p50 ${r.p50Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
    return r;
  } finally {
    await client.end();
  }
}

function vectorBatches(ds: Dataset, from: number, to: number, size: number): { bodies: string[]; sizes: number[] } {
  const bodies: string[] = [];
  const sizes: number[] = [];
  for (let start = from; start < to; start += size) {
    const end = Math.min(to, start + size);
    const items: string[] = [];
    for (let i = start; i < end; i++) items.push(memoryJson(i, NAMESPACES[ds.namespaceClass[i]], vectorText(ds.data, i)));
    bodies.push(batchJson(items));
    sizes.push(end - start);
  }
  return { bodies, sizes };
}

/**
 * Data points 0 … N-1, in this order: one batch (creates the model and its index), `singles`
 * single inserts (p50 at ~1k), the rest but the last `singles` in batches (the timed load), the
 * last `singles` single inserts (p50 at ~N). Every point ends up stored exactly once.
 */
export async function apiLoad(ctx: Context): Promise<void> {
  const { s, ds } = ctx;
  const n = s.vectors;
  const first = vectorBatches(ds, 0, s.batchSize, s.batchSize);
  const t0 = now();
  await ctx.server!.api!.expect([200, 201], 'POST', '/api/v3/memories', first.bodies[0]);
  ctx.result.firstBatch = { memories: s.batchSize, ms: now() - t0 };
  log(`   first batch (${s.batchSize}, registers ${MODEL} and creates its index): ${ctx.result.firstBatch.ms.toFixed(0)} ms`);
  ctx.result.singlesAt1k = await singleInserts(ctx, s.batchSize, s.singles, s.batchSize);
  ctx.result.rawSinglesAt1k = await rawSingleInserts(ctx, s.batchSize, s.singles, s.batchSize + s.singles);
  const from = s.batchSize + s.singles;
  const to = n - s.singles;
  const p0 = now();
  const load = vectorBatches(ds, from, to, s.batchSize);
  log(`   ${load.bodies.length} batch bodies prepared in ${((now() - p0) / 1000).toFixed(1)} s (${(load.bodies[0].length / 1e6).toFixed(1)} MB each); loading ${to - from} memories, ${s.loadConcurrency} requests in flight…`);
  await waitForQuiet(s);
  ctx.result.load = await timedBatches(ctx, load.bodies, load.sizes, s.loadConcurrency);
  log(`   load: ${ctx.result.load.perSecond.toFixed(0)} memories/s over ${ctx.result.load.seconds.toFixed(1)} s`);
  await waitForQuiet(s);
  ctx.result.singlesAtN = await singleInserts(ctx, to, s.singles, to);
  ctx.result.rawSinglesAtN = await rawSingleInserts(ctx, to, s.singles, n);
}

export async function afterLoad(ctx: Context): Promise<void> {
  const client = new Client(pgAdminConfig(DB));
  await client.connect();
  try {
    await client.query(`DELETE FROM memories WHERE namespace = 'bench_raw'`);
    log('   VACUUM ANALYZE memories…');
    await client.query('VACUUM ANALYZE memories');
    const { rows } = await client.query<{ id: string; i: number }>(`SELECT id::text AS id, (metadata->>'i')::int AS i FROM memories WHERE embedding_model = $1`, [MODEL]);
    for (const r of rows) ctx.ids.set(r.id, r.i);
    if (ctx.ids.size !== ctx.s.vectors) throw new Error(`expected ${ctx.s.vectors} ${MODEL} memories, found ${ctx.ids.size}`);
    const idx = await client.query<{ name: string; definition: string; size: string; table: string }>(
      `SELECT indexname AS name, indexdef AS definition, pg_relation_size(format('%I', indexname)::regclass) AS size, pg_total_relation_size('memories') AS table
       FROM pg_indexes WHERE tablename = 'memories' AND indexdef ILIKE '%hnsw%' AND indexdef LIKE $1`,
      [`%${MODEL}%`],
    );
    if (idx.rows.length !== 1) throw new Error(`expected one HNSW index for ${MODEL}, found ${idx.rows.length}: ${idx.rows.map((r) => r.definition).join('; ')}`);
    const r = idx.rows[0];
    ctx.result.index = { name: r.name, definition: r.definition, sizeMB: Number(r.size) / 2 ** 20, tableMB: Number(r.table) / 2 ** 20 };
    log(`   index: ${r.definition} (${ctx.result.index.sizeMB.toFixed(0)} MB; table with indexes ${ctx.result.index.tableMB.toFixed(0)} MB)`);
  } finally {
    await client.end();
  }
}

export async function textWritePath(ctx: Context): Promise<void> {
  const { s } = ctx;
  if (s.texts === 0) return;
  const texts = syntheticTexts(s.texts, s.seed + 3);
  const bodies: string[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < texts.length; i += s.batchSize) {
    const part = texts.slice(i, i + s.batchSize);
    bodies.push(textBatchJson(part, 'bench_text'));
    sizes.push(part.length);
  }
  log(`== 3. write path: ${s.texts} texts in batches of ${s.batchSize}, offline embedder, ${s.loadConcurrency} in flight`);
  await waitForQuiet(s);
  ctx.result.textLoad = await timedBatches(ctx, bodies, sizes, s.loadConcurrency);
  log(`   ${ctx.result.textLoad.perSecond.toFixed(0)} memories/s`);
}
