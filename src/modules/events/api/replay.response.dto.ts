import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { nullableRef } from '@cognition/platform/http/openapi';
import { REPLAY_STATUSES, ReplayStatus } from '../contracts';
import { HandlerFailureResponseDto, PendingRetryResponseDto } from './handler-failure.response.dto';

export class ReplayFilterResponseDto {
  @ApiPropertyOptional({ example: '0' }) fromPosition?: string;
  @ApiPropertyOptional() aggregateId?: string;
  @ApiPropertyOptional() type?: string;
}

@ApiExtraModels(PendingRetryResponseDto, HandlerFailureResponseDto)
export class ReplayResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'trace-spans' }) subscriber!: string;
  @ApiProperty({ type: ReplayFilterResponseDto, description: 'The one filter it was asked for' }) filter!: ReplayFilterResponseDto;
  @ApiProperty({ enum: REPLAY_STATUSES }) status!: ReplayStatus;
  @ApiProperty({ description: 'The subscriber’s checkpoint when the replay was asked for: it ends there (later events reach it live)', example: '1042' })
  uptoPosition!: string;
  @ApiProperty({ description: 'Position of the last event the replay went past ("0": none yet)', example: '517' }) position!: string;
  @ApiProperty({ description: 'Events handed to the subscriber' }) delivered!: number;
  @ApiProperty({ description: 'Events that failed every attempt and went to the dead letters' }) deadLettered!: number;
  @ApiProperty(nullableRef(PendingRetryResponseDto, 'The failing event the replay is held at, until its next attempt')) retry!: PendingRetryResponseDto | null;
  @ApiProperty(nullableRef(HandlerFailureResponseDto, 'Why the replay failed (status failed)')) error!: HandlerFailureResponseDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}
