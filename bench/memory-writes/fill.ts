/**
 * The fill from the small point to the large one, with SQL (not a measurement of the write path):
 * the model's vector index is dropped, the rows are inserted 2,000 per statement with the column
 * values the API writes (taken from a row it wrote), and the index is created again from its own
 * definition (`pg_get_indexdef`, so exactly the index the server made) in one bulk build. Then
 * VACUUM ANALYZE, as autovacuum would (it is off on this machine). The fill writes no outbox events.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { NAMESPACES, vectorText } from '../memory/dataset';
import { MODEL } from '../memory/raw-sql';
import { pgAdminConfig } from '../support/postgres';
import { log, Points } from './singles';

export interface Fill {
  rows: number;
  insertSeconds: number;
  indexSeconds: number;
  vacuumSeconds: number;
  index: { name: string; definition: string; sizeMB: number; tableMB: number };
}

const CHUNK = 2000;

export async function vectorIndex(client: Client): Promise<{ name: string; definition: string; sizeMB: number; tableMB: number }> {
  const { rows } = await client.query<{ name: string; definition: string; size: string; table: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition,
            pg_relation_size(i.indexrelid) AS size, pg_total_relation_size('memories') AS table
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
     WHERE i.indrelid = 'memories'::regclass AND am.amname = 'hnsw' AND pg_get_expr(i.indpred, i.indrelid) LIKE $1`,
    [`%'${MODEL}'%`],
  );
  if (rows.length !== 1) throw new Error(`expected one HNSW index for ${MODEL}, found ${rows.length}`);
  const r = rows[0];
  return { name: r.name, definition: r.definition, sizeMB: Number(r.size) / 2 ** 20, tableMB: Number(r.table) / 2 ** 20 };
}

export async function fillTo(database: string, target: number, points: Points): Promise<Fill> {
  const client = new Client(pgAdminConfig(database));
  await client.connect();
  try {
    const [{ n }] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM memories`)).rows;
    const rows = target - n;
    if (rows <= 0) throw new Error(`already ${n} memories stored, target ${target}`);
    const [like] = (
      await client.query<{ tenant_id: string; memory_type: string; scope: string; status: string; importance: string; importance_rank: number }>(
        `SELECT tenant_id, memory_type, scope, status, importance, importance_rank FROM memories WHERE embedding_model = $1 AND metadata ? 'i' LIMIT 1`,
        [MODEL],
      )
    ).rows;
    const index = await vectorIndex(client);
    await client.query(`DROP INDEX ${index.name}`);
    const ds = points.ds;
    const t0 = performance.now();
    for (let done = 0; done < rows; done += CHUNK) {
      const part = points.take(Math.min(CHUNK, rows - done));
      const now = new Date();
      await client.query(
        `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank, metadata, created_at, updated_at)
         SELECT id, $1, content, $2, $3, ns::ltree, v::vector, '${MODEL}', $4, $5, $6, md::jsonb, $7, $7
         FROM unnest($8::uuid[], $9::text[], $10::text[], $11::text[], $12::text[]) AS t(id, content, ns, v, md)`,
        [
          like.tenant_id,
          like.memory_type,
          like.scope,
          like.status,
          like.importance,
          like.importance_rank,
          now,
          part.map(() => uuidv7()),
          part.map((i) => `bench vector ${i}`),
          part.map((i) => NAMESPACES[ds.namespaceClass[i]]),
          part.map((i) => vectorText(ds.data, i)),
          part.map((i) => `{"i":${i}}`),
        ],
      );
      if ((done / CHUNK) % 10 === 9) log(`   filled ${(done + part.length).toLocaleString('en-US')} / ${rows.toLocaleString('en-US')}`);
    }
    const insertSeconds = (performance.now() - t0) / 1000;
    log(`   ${rows.toLocaleString('en-US')} rows in ${insertSeconds.toFixed(1)} s; building ${index.name} again…`);
    const t1 = performance.now();
    await client.query(`SET maintenance_work_mem = '1GB'`);
    await client.query(index.definition);
    const indexSeconds = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    await client.query(`VACUUM ANALYZE memories`);
    const vacuumSeconds = (performance.now() - t2) / 1000;
    const after = await vectorIndex(client);
    log(`   index built in ${indexSeconds.toFixed(1)} s (${after.sizeMB.toFixed(0)} MB; table with indexes ${after.tableMB.toFixed(0)} MB), VACUUM ANALYZE ${vacuumSeconds.toFixed(1)} s`);
    return { rows, insertSeconds, indexSeconds, vacuumSeconds, index: after };
  } finally {
    await client.end();
  }
}
