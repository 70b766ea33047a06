import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { MEMORY_IMPORTANCE, MEMORY_SCOPES, MEMORY_TYPES } from '../contracts';

/**
 * One memory on the wire. This layer checks types and rejects unknown fields; the domain checks
 * every rule (enums, namespace labels, scope owners, tags, vectors) and lists all problems.
 */
export class CreateMemoryRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 100_000, example: 'The customer prefers email over phone' })
  @IsString()
  content!: string;

  @ApiPropertyOptional({ enum: MEMORY_TYPES, default: 'fact' })
  @IsOptional()
  @IsString()
  memoryType?: string;

  @ApiPropertyOptional({ enum: MEMORY_SCOPES, default: 'global', description: 'user needs userId, agent needs agentId, session needs sessionId' })
  @IsOptional()
  @IsString()
  scope?: string;

  @ApiPropertyOptional({ default: 'default', example: 'acme.support.agent42', description: 'Labels of letters, digits and underscores, separated by dots' })
  @IsOptional()
  @IsString()
  namespace?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  userId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  agentId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  sessionId?: string | null;

  @ApiPropertyOptional({ enum: MEMORY_IMPORTANCE, default: 'medium' })
  @IsOptional()
  @IsString()
  importance?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], maxItems: 100, description: 'Distinct, non-empty' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Default: the TTL of the deepest lifecycle policy above the namespace' })
  @IsOptional()
  @IsString()
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: [Number], nullable: true, description: 'Your own vector (with embeddingModel); without it the configured provider embeds the content' })
  @IsOptional()
  @IsArray()
  embedding?: number[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The model that made `embedding` (required with it)' })
  @IsOptional()
  @IsString()
  embeddingModel?: string | null;
}

export class CreateMemoriesRequestDto {
  @ApiProperty({ type: [CreateMemoryRequestDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CreateMemoryRequestDto)
  items!: CreateMemoryRequestDto[];
}

/** A partial change: only the fields sent change (null clears expiresAt, metadata and tags). */
export class UpdateMemoryRequestDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100_000, description: 'A new content keeps the previous one as a revision and re-embeds' })
  @IsOptional()
  @IsString()
  content?: string;

  @ApiPropertyOptional({ enum: MEMORY_IMPORTANCE })
  @IsOptional()
  @IsString()
  importance?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'Replaces the metadata' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Replaces the tags' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[] | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsString()
  expiresAt?: string | null;

  @ApiPropertyOptional({ example: 'acme.support' })
  @IsOptional()
  @IsString()
  namespace?: string;

  @ApiPropertyOptional({ enum: ['active', 'archived'] })
  @IsOptional()
  @IsString()
  status?: string;

  @ApiPropertyOptional({ type: [Number], nullable: true, description: 'Your own vector for the (new) content, with embeddingModel' })
  @IsOptional()
  @IsArray()
  embedding?: number[] | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  embeddingModel?: string | null;
}
