import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { WORKFLOW_STATUSES, WorkflowStatus } from '../contracts';

export class ListWorkflowsRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional({ enum: WORKFLOW_STATUSES })
  @IsOptional()
  @IsIn(WORKFLOW_STATUSES)
  status?: WorkflowStatus;

  @ApiPropertyOptional({ description: 'Versions carrying this tag' })
  @IsOptional()
  @IsString()
  tag?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive search in name and id' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  q?: string;
}
