import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';

export class ListEventsRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional({ description: 'Only events of this type', example: 'WorkflowExecutionCompleted' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  type?: string;

  @ApiPropertyOptional({ description: 'Only events of this aggregate type', example: 'WorkflowExecution' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  aggregateType?: string;

  @ApiPropertyOptional({ description: 'Only events of this aggregate (an execution, task, agent, workflow … id)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  aggregateId?: string;

  @ApiPropertyOptional({
    description:
      'The `position` of one of your events (from this list, an execution’s event stream, or a broker): the list continues strictly after it, in store order. `0`: from the start. Another position is a 400.',
    pattern: '^\\d{1,19}$',
    example: '1042',
  })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be a position: a non-negative integer' })
  after?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only events that occurred at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only events that occurred before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
