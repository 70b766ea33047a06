import { ApiProperty } from '@nestjs/swagger';
import { MEMORY_IMPORTANCE, type MemoryPolicyView, type PolicyApplication } from '../contracts';

export class MemoryPolicyResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'acme.support' }) namespace!: string;
  @ApiProperty({ type: Number, nullable: true }) compressAfterDays!: number | null;
  @ApiProperty({ type: Number, nullable: true }) archiveAfterDays!: number | null;
  @ApiProperty({ type: Number, nullable: true }) deleteAfterDays!: number | null;
  @ApiProperty({ enum: MEMORY_IMPORTANCE }) importanceThreshold!: string;
  @ApiProperty({ type: Number, nullable: true }) maxMemories!: number | null;
  @ApiProperty({ type: Number, nullable: true }) ttlDays!: number | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAppliedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'Row revision for optimistic concurrency (send as If-Match on PUT)' }) revision!: number;

  static from(v: MemoryPolicyView): MemoryPolicyResponseDto {
    return {
      id: v.id,
      name: v.name,
      namespace: v.namespace,
      compressAfterDays: v.compressAfterDays,
      archiveAfterDays: v.archiveAfterDays,
      deleteAfterDays: v.deleteAfterDays,
      importanceThreshold: v.importanceThreshold,
      maxMemories: v.maxMemories,
      ttlDays: v.ttlDays,
      enabled: v.enabled,
      lastAppliedAt: v.lastAppliedAt,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      revision: v.revision,
    };
  }
}

export class MemoryPolicyPageResponseDto {
  @ApiProperty({ type: [MemoryPolicyResponseDto] }) items!: MemoryPolicyResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CompressionResponseDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The summary memory (null in a dry run)' }) summaryId!: string | null;
  @ApiProperty({ type: [String], description: 'The memories merged into it (now status compressed)' }) memoryIds!: string[];
}

export class PolicyApplicationResponseDto implements PolicyApplication {
  @ApiProperty({ format: 'uuid' }) policyId!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: [CompressionResponseDto] }) compressed!: CompressionResponseDto[];
  @ApiProperty({ type: [String] }) archived!: string[];
  @ApiProperty({ type: [String], description: 'Soft-deleted: older than deleteAfterDays' }) deleted!: string[];
  @ApiProperty({ type: [String], description: 'Soft-deleted: beyond maxMemories, least relevant first' }) evicted!: string[];
  @ApiProperty({ type: [String], description: 'Soft-deleted: expiresAt passed' }) expired!: string[];
}
