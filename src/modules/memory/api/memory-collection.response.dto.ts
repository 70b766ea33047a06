import { ApiProperty } from '@nestjs/swagger';
import type { MemoryCollectionView } from '../contracts';
import { MemoryResponseDto } from './memory.response.dto';

export class MemoryCollectionResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ description: 'Members that are neither deleted nor expired (archived ones included)' }) memoryCount!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(v: MemoryCollectionView): MemoryCollectionResponseDto {
    return { id: v.id, name: v.name, description: v.description, memoryCount: v.memoryCount, createdAt: v.createdAt, updatedAt: v.updatedAt };
  }
}

export class MemoryCollectionPageResponseDto {
  @ApiProperty({ type: [MemoryCollectionResponseDto] }) items!: MemoryCollectionResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CollectionMembershipResponseDto {
  @ApiProperty({ format: 'uuid' }) collectionId!: string;
  @ApiProperty({ format: 'uuid' }) memoryId!: string;
  @ApiProperty({ description: 'false when the memory already was a member' }) added!: boolean;
}

export class CollectionMemoryPageResponseDto {
  @ApiProperty({ type: [MemoryResponseDto] }) items!: MemoryResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
