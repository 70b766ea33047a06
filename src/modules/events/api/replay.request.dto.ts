import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** Exactly one of the three (checked with the subscriber's event types: 422 VALIDATION_FAILED otherwise). */
export class ReplaySubscriptionRequestDto {
  @ApiPropertyOptional({
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^\\d{1,19}$' },
    ],
    description: 'Replay your events at this position and after (0: all of them); a number or a decimal string',
    example: 0,
  })
  @IsOptional()
  fromPosition?: number | string;

  @ApiPropertyOptional({ description: 'Replay the events of this aggregate' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  aggregateId?: string;

  @ApiPropertyOptional({ description: 'Replay the events of this type (one the subscriber takes)', example: 'StepExecutionCompleted' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  type?: string;
}
