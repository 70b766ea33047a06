/**
 * The registry of embedding models (`memory_embedding_models`): one dimension count per model
 * name, and its vector index. Framework-free port; the adapter runs in the caller's transaction.
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
}
