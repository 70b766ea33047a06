import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { NonRetryableStepError, StepContext, StepHandler, StepType } from '@cognition/engine/contracts';
import { type MemorySearchHit, type MemorySearchRequest, SearchMemoriesQuery } from '../contracts';
import { MEMORY_SEARCH_PARAMS } from './memory-params.schema';
import { asStepCall, checkKnownParams } from './step-params';

const PARAMS = ['query', 'embedding', 'embeddingModel', 'k', 'filters', 'mode', 'minScore', 'rerank', 'efSearch'] as const;

/**
 * `memory_search`: a search (SearchMemoriesQuery) with the params of `POST /memories/search`:
 * `query` or `embedding` (+ `embeddingModel`), `k`, `filters`, `mode`, `minScore`, `rerank`,
 * `efSearch`. The output is `{items: [{memory, score, scores}]}`. Invalid params fail the step at
 * once (INVALID_PARAMS for unknown ones, VALIDATION_FAILED for bad values).
 */
@Injectable()
@StepType('memory_search', { params: MEMORY_SEARCH_PARAMS })
export class MemorySearchStepType implements StepHandler {
  constructor(private readonly queries: QueryBus) {}

  async execute(context: StepContext): Promise<{ items: MemorySearchHit[] }> {
    checkKnownParams('memory_search', context.params, PARAMS);
    if (context.params.query === undefined && context.params.embedding === undefined) {
      throw new NonRetryableStepError('INVALID_PARAMS', 'memory_search needs `query` (text) or `embedding`');
    }
    const result = await asStepCall(() => this.queries.execute(new SearchMemoriesQuery(context.tenantId, context.params as MemorySearchRequest)));
    return { items: result.items };
  }
}
