import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { MemoryImportance, MemorySearchResult, SearchMemoriesQuery } from '@cognition/memory/contracts';
import { EmbeddingModels } from '@cognition/memory/domain/embedding-models.port';
import { EmbeddingProvider } from '@cognition/memory/domain/embedding-provider.port';
import { rankSearchCandidates } from '@cognition/memory/domain/ranking/search-ranking';
import { MemorySearchAccessRecorder } from '@cognition/memory/infrastructure/memory-search-access.recorder';
import { MemorySearchReader, VectorSearchOutcome } from '@cognition/memory/infrastructure/memory-search.reader';
import { importanceRank } from '@cognition/memory/infrastructure/memory-filters.sql';
import { MemoryRow, memoryViewOf } from '@cognition/memory/infrastructure/memory-row.mapper';
import { planSearch, SearchPlan } from './search-request';

/** Candidates fetched from each side when fusing or re-ranking (`k` otherwise). */
export function candidatePoolSize(plan: Pick<SearchPlan, 'k' | 'mode' | 'rerank'>): number {
  return plan.mode === 'hybrid' || plan.rerank ? Math.max(4 * plan.k, 40) : plan.k;
}

/**
 * POST /memories/search: vector (cosine, one model's vectors only), full-text, or hybrid fused by
 * reciprocal rank, with filters, minScore and optional relevance re-ranking (see
 * domain/ranking/search-ranking.ts for the scores). The vector part's filter strategy (exact scan
 * or iterative HNSW scan) is chosen per query by MemorySearchReader. Each returned memory is
 * counted as accessed after the answer, by MemorySearchAccessRecorder.
 */
@QueryHandler(SearchMemoriesQuery)
export class SearchMemoriesQueryHandler implements IQueryHandler<SearchMemoriesQuery, MemorySearchResult> {
  /** Registered dimensions never change for a model: remembered once seen. */
  private readonly dimensions = new Map<string, number>();

  constructor(
    private readonly reader: MemorySearchReader,
    private readonly embeddings: EmbeddingProvider,
    private readonly models: EmbeddingModels,
    private readonly accesses: MemorySearchAccessRecorder,
  ) {}

  async execute({ tenantId, request }: SearchMemoriesQuery): Promise<MemorySearchResult> {
    const plan = planSearch(request);
    const limit = candidatePoolSize(plan);
    const [vector, text] = await Promise.all([
      plan.mode !== 'text' ? this.vectorPart(tenantId, plan, limit) : undefined,
      plan.mode !== 'vector' && plan.query !== undefined ? this.reader.text(tenantId, plan.filters, plan.query, limit, plan.includeEmbedding) : undefined,
    ]);
    const rows = new Map<string, MemoryRow>();
    for (const row of [...(vector?.rows ?? []), ...(text ?? [])]) rows.set(row.id, row);
    const ranked = rankSearchCandidates({
      mode: plan.mode,
      vector: (vector?.rows ?? []).map((r) => ({ id: r.id, similarity: 1 - r.distance })),
      text: (text ?? []).map((r) => ({ id: r.id, rank: r.rank })),
      facts: (id) => {
        const r = rows.get(id)!;
        return { accessCount: r.access_count, importanceRank: importanceRank(r.importance as MemoryImportance), updatedAt: r.updated_at, lastAccessedAt: r.last_accessed_at };
      },
      k: plan.k,
      minScore: plan.minScore,
      rerank: plan.rerank,
      now: new Date(),
    });
    const items = ranked.map((hit) => ({ memory: memoryViewOf(rows.get(hit.id)!), score: hit.score, scores: hit.scores }));
    if (items.length) this.accesses.record(items.map((item) => item.memory.id));
    const strategy: MemorySearchResult['strategy'] = { vector: vector?.strategy ?? 'none' };
    if (vector?.estimatedMatches !== undefined) strategy.estimatedMatches = vector.estimatedMatches;
    return { items, strategy };
  }

  /** Undefined when there is nothing to compare with: the model has never stored a vector. */
  private async vectorPart(tenantId: string, plan: SearchPlan, limit: number): Promise<VectorSearchOutcome | undefined> {
    const model = plan.embeddingModel ?? this.embeddings.model;
    let vector = plan.embedding;
    if (!vector && model !== this.embeddings.model) {
      throw new DomainError('VALIDATION_FAILED', `Cannot embed the query with model ${model}: the configured provider makes ${this.embeddings.model} vectors; send an embedding of ${model}`, [
        { path: 'embeddingModel', code: 'INVALID_FORMAT', message: `is not the configured embedding model (${this.embeddings.model}) and no embedding was sent` },
      ]);
    }
    const dimensions = await this.dimensionsOf(model);
    if (dimensions === null) return undefined;
    if (!vector) vector = (await this.embeddings.embed([plan.query!])).vectors[0];
    if (vector.length !== dimensions) {
      const message = `The ${plan.embedding ? 'embedding' : 'query embedding'} has ${vector.length} dimensions but model ${model} has ${dimensions}`;
      throw new DomainError('EMBEDDING_DIMENSION_MISMATCH', message, [{ path: 'embedding', code: 'EMBEDDING_DIMENSION_MISMATCH', message }]);
    }
    return this.reader.vector({ tenantId, filters: plan.filters, model, dimensions, vector, limit, efSearch: plan.efSearch, withEmbedding: plan.includeEmbedding });
  }

  private async dimensionsOf(model: string): Promise<number | null> {
    const known = this.dimensions.get(model);
    if (known !== undefined) return known;
    const dimensions = await this.models.dimensionsOf(model);
    if (dimensions !== null) this.dimensions.set(model, dimensions);
    return dimensions;
  }
}
