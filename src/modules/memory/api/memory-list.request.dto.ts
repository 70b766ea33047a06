import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { MEMORY_SCOPES, MEMORY_TYPES, type MemoryScope, type MemoryType } from '../contracts';

const LISTED_STATUSES = ['active', 'compressed', 'archived'] as const;

/** `?a=x&a=y` or `?a=x,y` → ['x', 'y']. */
const toList = ({ value }: { value: unknown }) => (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : value);

export class ListMemoriesRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional({ example: 'acme.support', description: 'The namespace and its whole subtree' })
  @IsOptional()
  @IsString()
  namespace?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  userId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  agentId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  sessionId?: string;

  @ApiPropertyOptional({ enum: MEMORY_SCOPES })
  @IsOptional()
  @IsIn(MEMORY_SCOPES)
  scope?: MemoryScope;

  @ApiPropertyOptional({ enum: MEMORY_TYPES, isArray: true, description: 'Memory types (repeat or comma-separate for several)' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(MEMORY_TYPES, { each: true })
  type?: MemoryType[];

  @ApiPropertyOptional({ enum: LISTED_STATUSES, description: 'Default: active and compressed (archived only when asked; deleted never)' })
  @IsOptional()
  @IsIn(LISTED_STATUSES)
  status?: (typeof LISTED_STATUSES)[number];

  @ApiPropertyOptional({ type: [String], description: 'Memories carrying every one of these tags (repeat for several)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value : [value]))
  @IsArray()
  @IsString({ each: true })
  tag?: string[];
}

export class GetMemoryRequestDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Include the vector (large)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeEmbedding?: 'true' | 'false';
}
