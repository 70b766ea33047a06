import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MEMORY_IMPORTANCE, MEMORY_SCOPES, MEMORY_STATUSES, MEMORY_TYPES, type MemoryView } from '../contracts';

export class MemoryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ enum: MEMORY_TYPES }) memoryType!: string;
  @ApiProperty({ enum: MEMORY_SCOPES }) scope!: string;
  @ApiProperty({ example: 'acme.support' }) namespace!: string;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) agentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) sessionId!: string | null;
  @ApiProperty({ enum: MEMORY_STATUSES }) status!: string;
  @ApiProperty({ enum: MEMORY_IMPORTANCE }) importance!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'hashing-384' }) embeddingModel!: string | null;
  @ApiPropertyOptional({ type: [Number], nullable: true, description: 'Only with ?includeEmbedding=true' }) embedding?: number[] | null;
  @ApiProperty() accessCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAccessedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: [String], description: 'Ids of the memories merged into this summary' }) summaryOf!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'Row revision for optimistic concurrency (send as If-Match on PATCH)' }) revision!: number;

  /** Fixed field order; `embedding` only when the view has it. */
  static from(v: MemoryView): MemoryResponseDto {
    const dto: MemoryResponseDto = {
      id: v.id,
      content: v.content,
      memoryType: v.memoryType,
      scope: v.scope,
      namespace: v.namespace,
      userId: v.userId,
      agentId: v.agentId,
      sessionId: v.sessionId,
      status: v.status,
      importance: v.importance,
      metadata: v.metadata,
      tags: v.tags,
      embeddingModel: v.embeddingModel,
      accessCount: v.accessCount,
      lastAccessedAt: v.lastAccessedAt,
      expiresAt: v.expiresAt,
      summaryOf: v.summaryOf,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      revision: v.revision,
    };
    if (v.embedding !== undefined) dto.embedding = v.embedding;
    return dto;
  }
}

export class MemoryListResponseDto {
  @ApiProperty({ type: [MemoryResponseDto] }) items!: MemoryResponseDto[];
}

export class MemoryPageResponseDto {
  @ApiProperty({ type: [MemoryResponseDto] }) items!: MemoryResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page' }) nextCursor!: string | null;
}

export class MemoryRevisionResponseDto {
  @ApiProperty({ description: 'The revision of the memory while it had this content' }) revision!: number;
  @ApiProperty() content!: string;
  @ApiProperty({ type: String, nullable: true }) embeddingModel!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When this content was replaced' }) createdAt!: string;
}

export class MemoryRevisionListResponseDto {
  @ApiProperty({ type: [MemoryRevisionResponseDto] }) items!: MemoryRevisionResponseDto[];
}
