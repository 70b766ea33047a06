import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { AGENT_STATUSES, type AgentStatus } from '../contracts';
import { BudgetRequestDto } from './agent-definition.request.dto';

export class InstantiateAgentRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The definition to copy the config from' })
  @IsString()
  definitionId!: string;

  @ApiPropertyOptional({ type: BudgetRequestDto, description: 'Limits over the definition’s defaultBudget' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BudgetRequestDto)
  budget?: BudgetRequestDto;

  @ApiPropertyOptional({ type: [String], example: ['http'], description: 'Permissions tools require (`destructive` for destructive tools)' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  permissions?: string[];
}

export class ListAgentsRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  role?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  definitionId?: string;
}

export class TerminateAgentRequestDto {
  @ApiPropertyOptional({ maxLength: 500, default: 'terminated by request' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class GrantPermissionsRequestDto {
  @ApiProperty({ type: [String], example: ['http', 'destructive'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  permissions!: string[];
}

export class AgentUsageRequestDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100, description: 'How many of the latest ledger entries' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}
