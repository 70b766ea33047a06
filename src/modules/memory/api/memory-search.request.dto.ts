import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { DomainError, ErrorDetail } from '@cognition/platform/domain';
import { MEMORY_IMPORTANCE, MEMORY_SCOPES, MEMORY_TYPES, MemoryImportance, MemoryScope, MemorySearchRequest, MemoryType, RerankWeights, SearchMode } from '../contracts';

const SEARCH_MODES: SearchMode[] = ['vector', 'text', 'hybrid'];
const WEIGHT_NAMES = ['similarity', 'recency', 'accessFrequency', 'importance'];
const NAMESPACE = /^[A-Za-z0-9_]{1,255}(\.[A-Za-z0-9_]{1,255})*$/;

/** `true`, `false`, or an object of non-negative weights (any of similarity, recency, accessFrequency, importance). */
function IsRerank(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRerank',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'rerank must be true, false or an object of non-negative numeric weights (similarity, recency, accessFrequency, importance)', ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value === 'boolean') return true;
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          return Object.entries(value).every(([key, w]) => WEIGHT_NAMES.includes(key) && typeof w === 'number' && Number.isFinite(w) && w >= 0);
        },
      },
    });
}

export class TagsFilterRequestDto {
  @ApiPropertyOptional({ type: [String], description: 'Memories with at least one of these tags' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  any?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Memories with every one of these tags' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  all?: string[];
}

export class MemorySearchFiltersRequestDto {
  @ApiPropertyOptional({ example: 'acme.support', description: 'Subtree: matches this namespace and everything below it' })
  @IsOptional()
  @IsString()
  @Matches(NAMESPACE, { message: 'namespace must be labels of letters, digits and underscores separated by dots, e.g. acme.support' })
  namespace?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) userId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) agentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) sessionId?: string;

  @ApiPropertyOptional({ enum: MEMORY_SCOPES })
  @IsOptional()
  @IsIn(MEMORY_SCOPES)
  scope?: MemoryScope;

  @ApiPropertyOptional({ enum: MEMORY_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(MEMORY_TYPES, { each: true })
  memoryType?: MemoryType[];

  @ApiPropertyOptional({ type: TagsFilterRequestDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TagsFilterRequestDto)
  tags?: TagsFilterRequestDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Equality on top-level metadata keys (JSONB containment)' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601() createdAfter?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601() createdBefore?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601() updatedAfter?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601() updatedBefore?: string;

  @ApiPropertyOptional({ enum: MEMORY_IMPORTANCE, description: 'This importance or above' })
  @IsOptional()
  @IsIn(MEMORY_IMPORTANCE)
  minImportance?: MemoryImportance;

  @ApiPropertyOptional({ default: false, description: 'Archived memories are left out unless true. Deleted and expired ones never come back.' })
  @IsOptional()
  @IsBoolean()
  includeArchived?: boolean;
}

export class RerankWeightsDoc implements RerankWeights {
  @ApiProperty({ default: 0.6 }) similarity!: number;
  @ApiProperty({ default: 0.2 }) recency!: number;
  @ApiProperty({ default: 0.1 }) accessFrequency!: number;
  @ApiProperty({ default: 0.1 }) importance!: number;
}

/** Body of POST /memories/search. Needs `query` or `embedding` (text mode needs `query`). */
export class MemorySearchRequestDto {
  @ApiPropertyOptional({ example: 'what does the customer prefer for delivery?', maxLength: 10_000 })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  query?: string;

  @ApiPropertyOptional({ type: [Number], description: 'A query vector of `embeddingModel` (default: the configured model); its length must be the model’s dimensions' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(16_000)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  embedding?: number[];

  @ApiPropertyOptional({ example: 'hashing-384', description: 'Default: the configured EMBEDDING_MODEL' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  embeddingModel?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  k?: number;

  @ApiPropertyOptional({ type: MemorySearchFiltersRequestDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MemorySearchFiltersRequestDto)
  filters?: MemorySearchFiltersRequestDto;

  @ApiPropertyOptional({ enum: SEARCH_MODES, default: 'hybrid', description: 'hybrid: full-text and vector fused by reciprocal rank' })
  @IsOptional()
  @IsIn(SEARCH_MODES)
  mode?: SearchMode;

  @ApiPropertyOptional({
    description: 'Keep hits whose score is at least this: the cosine similarity (vector), ts_rank_cd (text), the fused score (hybrid), or the relevance when re-ranking',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  minScore?: number;

  @ApiPropertyOptional({
    oneOf: [{ type: 'boolean' }, { $ref: '#/components/schemas/RerankWeightsDoc' }],
    description: 'Re-rank by relevance: true for the default weights, or some weights (the others keep their default; all are scaled to sum 1)',
  })
  @IsOptional()
  @IsRerank()
  rerank?: boolean | Partial<RerankWeights>;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'HNSW ef_search for this query (default MEMORY_EF_SEARCH; raised to the candidates needed)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  efSearch?: number;

  @ApiPropertyOptional({ default: false, description: 'Return each hit’s vector too (memory.embedding); without it vectors are neither read nor sent' })
  @IsOptional()
  @IsBoolean()
  includeEmbedding?: boolean;
}

const REQUEST_KEYS = new Set(['query', 'embedding', 'embeddingModel', 'k', 'filters', 'mode', 'minScore', 'rerank', 'efSearch', 'includeEmbedding']);
const FILTER_KEYS = new Set(['namespace', 'userId', 'agentId', 'sessionId', 'scope', 'memoryType', 'tags', 'metadata', 'createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore', 'minImportance', 'includeArchived']);
const TAG_KEYS = new Set(['any', 'all']);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(value: Record<string, unknown>, known: Set<string>, at: string, into: ErrorDetail[]): void {
  for (const key in value) {
    if (!known.has(key)) into.push({ path: `${at}${key}`, code: 'UNKNOWN_FIELD', message: `${at}${key} is not a known field` });
  }
}

/**
 * The body of POST /memories/search as a request, without class-validator: the DTO classes above
 * document the body (OpenAPI); validating a 384-number array through class-validator decorators
 * cost more per search than the rest of the request. Here only the shape is checked, in one pass
 * over the keys: not an object → 400 BAD_REQUEST, a field the request does not have (at the top,
 * in `filters`, in `filters.tags`) → 400 UNKNOWN_FIELD, as the DTO pipe answers. Every value is
 * then checked by planSearch (search-request.ts), which answers 422 VALIDATION_FAILED listing each
 * problem (an embedding element that is not a finite number by its index). Bodies too deep,
 * malformed or with numbers out of range never get here (400 at the JSON parser).
 */
export function searchRequestOf(body: unknown): MemorySearchRequest {
  if (!isPlainObject(body)) throw new DomainError('BAD_REQUEST', 'The body must be a JSON object: a search request');
  const unknown: ErrorDetail[] = [];
  unknownKeys(body, REQUEST_KEYS, '', unknown);
  const filters = body.filters;
  if (isPlainObject(filters)) {
    unknownKeys(filters, FILTER_KEYS, 'filters.', unknown);
    if (isPlainObject(filters.tags)) unknownKeys(filters.tags, TAG_KEYS, 'filters.tags.', unknown);
  }
  if (unknown.length) throw new DomainError('UNKNOWN_FIELD', `Unknown field(s): ${unknown.map((d) => d.path).join(', ')}`, unknown);
  return body as MemorySearchRequest;
}
