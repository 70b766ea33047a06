import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { EmbeddingModels } from '../domain/embedding-models.port';
import { MemorySql } from './memory-sql';

/** pgvector indexes `vector` columns of up to 2,000 dimensions (HNSW and IVFFlat). */
export const MAX_INDEXED_DIMENSIONS = 2000;
/** IVFFlat is never built on fewer rows than this many per list. */
export const IVFFLAT_ROWS_PER_LIST = 50;

/** `memories_vec_<16 hex of sha256(model)>`: a stable, valid identifier for any model name. */
export function vectorIndexName(model: string): string {
  return `memories_vec_${createHash('sha256').update(model).digest('hex').slice(0, 16)}`;
}

/** A SQL string literal (standard_conforming_strings: only quotes need doubling). */
export function sqlLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('a model name cannot contain NUL');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The partial expression index of one model: pgvector's way to index an untyped column by dimension.
 * Rows whose vector is still pending (stored, not yet indexed: see memory-pending.sql.ts) are not in it.
 */
export function vectorIndexSql(model: string, dimensions: number, method: 'hnsw' | 'ivfflat', options: string): string {
  return (
    `CREATE INDEX IF NOT EXISTS ${vectorIndexName(model)} ON memories USING ${method} ` +
    `((embedding::vector(${dimensions})) vector_cosine_ops) WITH (${options}) WHERE embedding_model = ${sqlLiteral(model)} AND NOT vector_pending`
  );
}

/**
 * The model registry on `memory_embedding_models`, in the caller's transaction. A model's first
 * use takes the registry's transaction advisory lock, registers it and (HNSW) creates its partial
 * index (which holds SHARE on `memories`, i.e. blocks other writers, until the transaction ends). Registered models are cached in memory: a model's dimensions never change, so the write
 * path does not read the registry again. A row this very transaction inserted is not cached (the
 * transaction may still roll back).
 */
@Injectable()
export class PgEmbeddingModels extends EmbeddingModels {
  private readonly known = new Map<string, number>();

  constructor(
    private readonly sql: MemorySql,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async ensure(model: string, dimensions: number): Promise<void> {
    const known = this.known.get(model) ?? (await this.lookup(model));
    if (known !== null) return checkDimensions(model, known, dimensions);
    await this.sql.transaction(async () => {
      await this.lockRegistry();
      const registered = await this.lookup(model);
      if (registered !== null) return checkDimensions(model, registered, dimensions);
      await this.register(model, dimensions);
    });
  }

  async dimensionsOf(model: string): Promise<number | null> {
    return this.known.get(model) ?? this.lookup(model);
  }

  async ensureIvfflatIndexes(): Promise<string[]> {
    if (this.config.get('MEMORY_INDEX_TYPE') !== 'ivfflat') return [];
    const lists = this.config.get('MEMORY_IVFFLAT_LISTS');
    const minRows = IVFFLAT_ROWS_PER_LIST * lists;
    const candidates = await this.sql.query<{ model: string; dimensions: number }>(
      `SELECT model, dimensions FROM memory_embedding_models WHERE index_name IS NULL AND dimensions <= $1 ORDER BY model`,
      [MAX_INDEXED_DIMENSIONS],
    );
    const built: string[] = [];
    for (const { model, dimensions } of candidates) {
      const [{ rows }] = await this.sql.query<{ rows: number }>(
        `SELECT count(*)::int AS rows FROM (SELECT 1 FROM memories WHERE embedding_model = $1 LIMIT $2) enough`,
        [model, minRows],
      );
      if (rows < minRows) continue;
      const name = await this.sql.transaction(async () => {
        await this.lockRegistry();
        const [row] = await this.sql.query<{ index_name: string | null }>(`SELECT index_name FROM memory_embedding_models WHERE model = $1`, [model]);
        if (row?.index_name) return null;
        await this.sql.query(vectorIndexSql(model, dimensions, 'ivfflat', `lists = ${lists}`));
        const indexName = vectorIndexName(model);
        await this.sql.query(`UPDATE memory_embedding_models SET index_type = 'ivfflat', index_name = $2 WHERE model = $1`, [model, indexName]);
        return indexName;
      });
      if (name) built.push(name);
    }
    return built;
  }

  /**
   * One lock for every registration (the slow path, once per model), held to the end of the
   * transaction. Not one per model: two transactions each creating a new model's index would both
   * hold SHARE on `memories` and then deadlock on their inserts. Registered models never take it.
   */
  private async lockRegistry(): Promise<void> {
    await this.sql.query(`SELECT pg_advisory_xact_lock(hashtext('memory-models'))`);
  }

  /** The registered dimensions (cached unless this transaction registered the model). */
  private async lookup(model: string): Promise<number | null> {
    const [row] = await this.sql.query<{ dimensions: number; mine: boolean | null }>(
      `SELECT dimensions, xmin = pg_current_xact_id_if_assigned()::xid AS mine FROM memory_embedding_models WHERE model = $1`,
      [model],
    );
    if (!row) return null;
    if (!row.mine) this.known.set(model, row.dimensions);
    return row.dimensions;
  }

  private async register(model: string, dimensions: number): Promise<void> {
    const hnsw = this.config.get('MEMORY_INDEX_TYPE') === 'hnsw' && dimensions <= MAX_INDEXED_DIMENSIONS;
    if (hnsw) {
      const options = `m = ${this.config.get('MEMORY_HNSW_M')}, ef_construction = ${this.config.get('MEMORY_HNSW_EF_CONSTRUCTION')}`;
      await this.sql.query(vectorIndexSql(model, dimensions, 'hnsw', options));
    }
    await this.sql.query(`INSERT INTO memory_embedding_models (model, dimensions, index_type, index_name) VALUES ($1, $2, $3, $4)`, [
      model,
      dimensions,
      hnsw ? 'hnsw' : null,
      hnsw ? vectorIndexName(model) : null,
    ]);
  }
}

function checkDimensions(model: string, registered: number, given: number): void {
  if (registered === given) return;
  throw new DomainError('EMBEDDING_DIMENSION_MISMATCH', `embedding has ${given} dimensions; model "${model}" stores ${registered}`, [
    { path: 'embedding', code: 'EMBEDDING_DIMENSION_MISMATCH', message: `has ${given} dimensions; model "${model}" stores ${registered}` },
  ]);
}
