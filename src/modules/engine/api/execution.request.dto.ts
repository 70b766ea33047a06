import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';

const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

export class StartExecutionRequestDto {
  @ApiPropertyOptional({ example: '1.0.0', description: 'Default: the latest active version' })
  @IsOptional()
  @IsString()
  version?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {}, description: 'Checked against the workflow’s inputSchema when it has one' })
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;
}

export class ListExecutionsRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  workflowId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ format: 'date-time', description: 'Only executions created at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only executions created before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
