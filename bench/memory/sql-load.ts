/**
 * BENCH_MEMORY_LOAD=sql / BENCH_MEMORY_API=0 only (to measure search before POST /memories exists):
 * loads the data straight into `memories` with SQL, registers the model and builds the same partial
 * HNSW index the API creates on first use (here after the load, in one build — a bulk-built graph,
 * not the incrementally built one of the API path). Not a measurement of our write path.
 */
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { pgAdminConfig } from '../support/postgres';
import { Dataset, NAMESPACES, vectorText } from './dataset';
import { MODEL } from './raw-sql';

export const SQL_TENANT = '00000000-0000-7000-8000-00000000be70';

export async function sqlLoad(database: string, ds: Dataset, hnsw: { m: number; efConstruction: number }, tenantId = SQL_TENANT): Promise<{ loadSeconds: number; indexSeconds: number }> {
  const client = new Client(pgAdminConfig(database));
  await client.connect();
  try {
    await client.query(`INSERT INTO memory_embedding_models (model, dimensions, index_type, index_name) VALUES ($1, 384, 'hnsw', 'memories_vec_bench_384')`, [MODEL]);
    const t0 = Date.now();
    const CHUNK = 1000;
    for (let from = 0; from < ds.options.vectors; from += CHUNK) {
      const to = Math.min(ds.options.vectors, from + CHUNK);
      const ids: string[] = [];
      const contents: string[] = [];
      const namespaces: string[] = [];
      const vectors: string[] = [];
      const metadata: string[] = [];
      for (let i = from; i < to; i++) {
        ids.push(uuidv7());
        contents.push(`bench vector ${i}`);
        namespaces.push(NAMESPACES[ds.namespaceClass[i]]);
        vectors.push(vectorText(ds.data, i));
        metadata.push(`{"i":${i}}`);
      }
      await client.query(
        `INSERT INTO memories (id, tenant_id, content, memory_type, scope, namespace, embedding, embedding_model, status, importance, importance_rank, metadata)
         SELECT id, $1, content, 'knowledge', 'global', ns::ltree, v::vector, '${MODEL}', 'active', 'medium', 2, md::jsonb
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, content, ns, v, md)`,
        [tenantId, ids, contents, namespaces, vectors, metadata],
      );
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(
      `CREATE INDEX memories_vec_bench_384 ON memories USING hnsw ((embedding::vector(384)) vector_cosine_ops) WITH (m = ${hnsw.m}, ef_construction = ${hnsw.efConstruction}) WHERE embedding_model = '${MODEL}' AND NOT vector_pending`,
    );
    return { loadSeconds, indexSeconds: (Date.now() - t1) / 1000 };
  } finally {
    await client.end();
  }
}
