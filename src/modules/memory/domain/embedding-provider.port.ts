/**
 * The configured embedding provider (EMBEDDING_PROVIDER): the offline feature-hashing embedder
 * (lexical, not semantic) or an OpenAI-compatible `/v1/embeddings`. Vectors supplied in a request
 * bypass it. Framework-free.
 */
export interface Embeddings {
  model: string;
  dimensions: number;
  vectors: number[][];
}

export abstract class EmbeddingProvider {
  /** The model name stored with every vector this provider makes. */
  abstract get model(): string;
  abstract get dimensions(): number;
  /** One vector per text, in order; batches internally. Throws DomainError EMBEDDING_PROVIDER_ERROR. */
  abstract embed(texts: string[], signal?: AbortSignal): Promise<Embeddings>;
}
