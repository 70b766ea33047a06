import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString } from 'class-validator';
import { MEMORY_IMPORTANCE, type MemoryImportance } from '../contracts';

/** The shape of a lifecycle policy on the wire (types only; the domain checks ranges and formats). */
export class MemoryPolicyRequestDto {
  @ApiProperty({ example: 'support-retention', description: '1–200 printable characters, unique per tenant' })
  @IsString()
  name!: string;

  @ApiProperty({ example: 'acme.support', description: 'The namespace subtree the policy governs (ltree labels: letters, digits, _)' })
  @IsString()
  namespace!: string;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, description: 'Merge near-duplicates and old low-importance memories created more than this many days ago' })
  @IsOptional()
  @IsInt()
  compressAfterDays?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, description: 'Archive memories created more than this many days ago' })
  @IsOptional()
  @IsInt()
  archiveAfterDays?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, description: 'Soft-delete memories created more than this many days ago' })
  @IsOptional()
  @IsInt()
  deleteAfterDays?: number | null;

  @ApiPropertyOptional({ enum: MEMORY_IMPORTANCE, default: 'high', description: 'The policy never touches memories of this importance or above' })
  @IsOptional()
  @IsIn(MEMORY_IMPORTANCE)
  importanceThreshold?: MemoryImportance;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, description: 'Evict (soft-delete) the least relevant memories beyond this many' })
  @IsOptional()
  @IsInt()
  maxMemories?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, description: 'Default time to live of new memories of the subtree without expiresAt' })
  @IsOptional()
  @IsInt()
  ttlDays?: number | null;

  @ApiPropertyOptional({ default: true, description: 'Applied by the scheduled maintenance job (an apply request works either way)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ApplyMemoryPolicyRequestDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'true: report what would change, change nothing' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}
