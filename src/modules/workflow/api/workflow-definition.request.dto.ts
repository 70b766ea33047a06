import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { nullableRef } from '@cognition/platform/http/openapi';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

/**
 * The shape of a workflow definition on the wire. This layer checks types and rejects unknown
 * fields; the domain checks every rule (ranges, DAG, references, step types) and lists all problems.
 */
export class RetryPolicyRequestDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 1 })
  @IsOptional()
  @IsInt()
  maxAttempts?: number;

  @ApiPropertyOptional({ enum: ['fixed', 'exponential'], default: 'exponential' })
  @IsOptional()
  @IsIn(['fixed', 'exponential'])
  backoff?: 'fixed' | 'exponential';

  @ApiPropertyOptional({ minimum: 0, default: 1000 })
  @IsOptional()
  @IsInt()
  initialDelayMs?: number;

  @ApiPropertyOptional({ minimum: 0, default: 60000 })
  @IsOptional()
  @IsInt()
  maxDelayMs?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  jitter?: boolean;
}

export class StepRequestDto {
  @ApiProperty({ example: 'fetch_page', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' })
  @IsString()
  id!: string;

  @ApiProperty({ example: 'http_request', description: 'A registered step type' })
  @IsString()
  type!: string;

  @ApiPropertyOptional({ description: 'Defaults to the id' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Step parameters; strings may hold ${{ CEL }} templates' })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  dependsOn?: string[];

  @ApiPropertyOptional({ default: 300 })
  @IsOptional()
  @IsNumber()
  timeoutSeconds?: number;

  @ApiPropertyOptional({ type: RetryPolicyRequestDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RetryPolicyRequestDto)
  retry?: RetryPolicyRequestDto;

  @ApiPropertyOptional({ description: 'CEL condition; false skips the step', example: "inputs.mode == 'full'" })
  @IsOptional()
  @IsString()
  condition?: string;

  @ApiPropertyOptional({ description: 'CEL expression yielding a list; the step runs once per item' })
  @IsOptional()
  @IsString()
  forEach?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  agentRole?: string;

  @ApiPropertyOptional({ description: 'CEL expression; steps with the same value run one at a time' })
  @IsOptional()
  @IsString()
  concurrencyKey?: string;
}

export class ScheduleRequestDto {
  @ApiProperty({ example: '*/5 * * * *', description: '5-field cron' })
  @IsString()
  cron!: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', description: 'IANA time zone, default UTC' })
  @IsOptional()
  @IsString()
  timezone?: string;
}

/** Body of PUT /workflows/{id}/versions/{v}: the editable definition of a draft. */
@ApiExtraModels(ScheduleRequestDto)
export class WorkflowDefinitionRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString()
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiProperty({ type: [StepRequestDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => StepRequestDto)
  steps!: StepRequestDto[];

  @ApiPropertyOptional(nullableRef(ScheduleRequestDto, 'A cron schedule, or null for none'))
  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduleRequestDto)
  schedule?: ScheduleRequestDto | null;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON Schema the inputs must match' })
  @IsOptional()
  @IsObject()
  inputSchema?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'name → template (any JSON; strings may hold ${{ CEL }} templates) evaluated at completion' })
  @IsOptional()
  @IsObject()
  outputs?: Record<string, unknown> | null;
}

/** Body of POST /workflows. */
export class CreateWorkflowRequestDto extends WorkflowDefinitionRequestDto {
  @ApiProperty({ example: 'summarize-ticket', pattern: '^[a-z0-9][a-z0-9._-]{0,254}$' })
  @IsString()
  id!: string;

  @ApiProperty({ example: '1.0.0', description: 'semver MAJOR.MINOR.PATCH' })
  @IsString()
  version!: string;

  @ApiPropertyOptional({ enum: ['draft', 'active'], default: 'draft', description: 'active publishes at once' })
  @IsOptional()
  @IsIn(['draft', 'active'])
  status?: 'draft' | 'active';
}
