import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What a handler threw: its message and, when it had one, its code. */
export class HandlerFailureResponseDto {
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ example: 'ECONNREFUSED' }) code?: string;
}

/** The failing event a subscriber or replay is held at, and when it is tried next. */
export class PendingRetryResponseDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ description: 'Failed attempts so far' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt!: string;
  @ApiProperty({ type: HandlerFailureResponseDto }) error!: HandlerFailureResponseDto;
}
