/**
 * The registry of embedding models (`memory_embedding_models`): one dimension count per model
 * name, and its vector index. Framework-free port; the adapter runs in the caller's transaction.
 *
 * Call `ensure` BEFORE writing any memory row in a transaction: registering a new model creates
 * its index, which locks `memories` against writes until the transaction ends.
 */
export abstract class EmbeddingModels {
  /**
   * Registers `model` with `dimensions` on first use (creating its partial vector index), or checks
   * the dimensions against the registered ones: a mismatch is DomainError
   * EMBEDDING_DIMENSION_MISMATCH (422) naming both.
   */
  abstract ensure(model: string, dimensions: number): Promise<void>;
  /** The registered dimensions of a model, or null when it was never used. */
  abstract dimensionsOf(model: string): Promise<number | null>;
  /**
   * With MEMORY_INDEX_TYPE=ivfflat: builds the IVFFlat index of every model that has none yet and
   * has at least 50 × MEMORY_IVFFLAT_LISTS rows (never fewer). Returns the names of the indexes
   * built. Does nothing with hnsw (those are built by `ensure`). Called by the maintenance job.
   */
  abstract ensureIvfflatIndexes(): Promise<string[]>;
}
