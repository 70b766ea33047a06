import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MemorySearchResult } from '../contracts';
import { MemoryResponseDto } from './memory.response.dto';

export class MemorySearchScoresResponseDto {
  @ApiPropertyOptional({ description: 'Cosine similarity (1 − cosine distance) when the memory was a vector candidate' }) vector?: number;
  @ApiPropertyOptional({ description: 'ts_rank_cd when the memory was a full-text candidate' }) text?: number;
  @ApiPropertyOptional({ description: 'Relevance in [0, 1] when re-ranked' }) relevance?: number;
}

export class MemorySearchHitResponseDto {
  @ApiProperty({ type: MemoryResponseDto, description: 'The memory (as GET /memories/{id}; its vector only with includeEmbedding)' }) memory!: MemoryResponseDto;
  @ApiProperty({ description: 'The score the hits are ordered by: similarity (vector), ts_rank_cd (text), fused (hybrid) or relevance (re-ranked)' })
  score!: number;
  @ApiProperty({ type: MemorySearchScoresResponseDto }) scores!: MemorySearchScoresResponseDto;
}

export class MemorySearchStrategyResponseDto {
  @ApiPropertyOptional({ enum: ['index', 'exact', 'none'], description: 'index: HNSW with iterative scan; exact: every matching vector compared; none: no vector part' })
  vector?: 'index' | 'exact' | 'none';
  @ApiPropertyOptional({ description: 'Matching rows counted up to MEMORY_EXACT_SCAN_MAX_ROWS + 1 (that value means more)' })
  estimatedMatches?: number;
}

export class MemorySearchResponseDto {
  @ApiProperty({ type: [MemorySearchHitResponseDto] }) items!: MemorySearchHitResponseDto[];
  @ApiPropertyOptional({ type: MemorySearchStrategyResponseDto }) strategy?: MemorySearchStrategyResponseDto;

  static from(result: MemorySearchResult): MemorySearchResponseDto {
    return {
      items: result.items.map((hit) => ({ memory: MemoryResponseDto.from(hit.memory), score: hit.score, scores: hit.scores })),
      strategy: result.strategy,
    };
  }
}
