import { ApiProperty } from '@nestjs/swagger';
import { DEAD_LETTER_STATUSES, DeadLetterStatus } from '../contracts';
import { HandlerFailureResponseDto } from './handler-failure.response.dto';

export class DeadLetterResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'trace-spans' }) subscriber!: string;
  @ApiProperty({ format: 'uuid', description: 'The event (GET /events lists it)' }) eventId!: string;
  @ApiProperty({ description: 'The event’s position (a bigint as a decimal string)', example: '1042' }) position!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ description: 'The event type', example: 'StepExecutionCompleted' }) type!: string;
  @ApiProperty({ type: HandlerFailureResponseDto, description: 'The last error' }) error!: HandlerFailureResponseDto;
  @ApiProperty({ description: 'Attempts so far, retries included' }) attempts!: number;
  @ApiProperty({ enum: DEAD_LETTER_STATUSES, description: '`dead` until retried successfully (`retried`) or discarded' }) status!: DeadLetterStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'A retry asked for through the CLI, waiting for a process that runs the subscriber' })
  retryRequestedAt!: string | null;
}

export class DeadLetterPageResponseDto {
  @ApiProperty({ type: [DeadLetterResponseDto] }) items!: DeadLetterResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class DeadLetterRetryResponseDto {
  @ApiProperty({ enum: ['delivered', 'failed'], description: '`delivered`: the subscriber took the event (status `retried`); `failed`: it threw again (still `dead`, attempts + 1, the new error)' })
  outcome!: 'delivered' | 'failed';
  @ApiProperty({ type: DeadLetterResponseDto }) deadLetter!: DeadLetterResponseDto;
}
