import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { TRACE_SPAN_TYPES, TraceSpanType } from '../contracts';

export class ListTracesRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional({ description: 'The traced thing: an execution, step execution, task, agent run or call id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  entityId?: string;

  @ApiPropertyOptional({ enum: TRACE_SPAN_TYPES })
  @IsOptional()
  @IsIn(TRACE_SPAN_TYPES)
  type?: TraceSpanType;
}
