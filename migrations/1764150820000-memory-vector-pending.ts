import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deferred vector indexing (docs/architecture.md, "Memory"): a small write stores its memory with
 * `vector_pending = true`, outside its model's HNSW index, so the request does not wait for the
 * graph walk; a background indexer sets it to false shortly after, which puts the row into the index.
 * Searches scan the pending rows exactly and merge them with the index's answer.
 *
 * - `vector_pending`: false for every existing row (they are all in their index).
 * - `idx_memories_vector_pending`: the pending rows only (empty most of the time), by model and
 *   tenant: what the indexer claims and what a search scans beside the index.
 * - Each model's vector index is rebuilt with `AND NOT vector_pending` in its predicate (same name,
 *   same options). On a large table this build blocks writes to `memories` while it runs (as any
 *   index build in a migration); it can be done by hand first (CREATE INDEX CONCURRENTLY of the new
 *   definition under the name `<index>_next`, which this migration then takes over).
 */
export class MemoryVectorPending1764150820000 implements MigrationInterface {
  name = 'MemoryVectorPending1764150820000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memories ADD COLUMN vector_pending boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX idx_memories_vector_pending ON memories (embedding_model, tenant_id) WHERE vector_pending`);
    await rebuildVectorIndexes(q, (model) => `embedding_model = ${model} AND NOT vector_pending`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE memories SET vector_pending = false WHERE vector_pending`);
    await rebuildVectorIndexes(q, (model) => `embedding_model = ${model}`);
    await q.query(`DROP INDEX idx_memories_vector_pending`);
    await q.query(`ALTER TABLE memories DROP COLUMN vector_pending`);
  }
}

/** Every registered model's vector index, created again with `predicate(model as a SQL literal)` under the same name. */
async function rebuildVectorIndexes(q: QueryRunner, predicate: (model: string) => string): Promise<void> {
  const indexes: Array<{ name: string; definition: string; model: string }> = await q.query(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, quote_literal(e.model) AS model
     FROM memory_embedding_models e
     JOIN pg_class c ON c.relname = e.index_name AND c.relkind = 'i'
     JOIN pg_index i ON i.indexrelid = c.oid AND i.indrelid = 'memories'::regclass
     WHERE i.indpred IS NOT NULL`,
  );
  for (const index of indexes) {
    const at = index.definition.lastIndexOf(' WHERE ');
    const head = index.definition.slice(0, at).replace(`CREATE INDEX ${index.name} ON`, `CREATE INDEX IF NOT EXISTS ${index.name}_next ON`);
    await q.query(`${head} WHERE ${predicate(index.model)}`);
    await q.query(`DROP INDEX ${index.name}`);
    await q.query(`ALTER INDEX ${index.name}_next RENAME TO ${index.name}`);
  }
}
