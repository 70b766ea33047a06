import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { anyJson } from '@cognition/platform/http/openapi';
import { TASK_PRIORITIES, type TaskPriority } from '../contracts';

/**
 * One task on the wire. This layer checks types and rejects unknown fields; the domain checks
 * every rule (lengths, ranges, ids, the output schema) and lists all problems.
 */
export class CreateTaskRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Summarize ticket 42' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, default: 'medium' })
  @IsOptional()
  @IsString()
  priority?: TaskPriority;

  @ApiPropertyOptional({ type: [String], description: 'Capabilities the agent must have (distinct)' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  requiredCapabilities?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The agent role matching prefers' })
  @IsOptional()
  @IsString()
  preferredRole?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid', description: 'Only agents of this definition' })
  @IsOptional()
  @IsString()
  agentDefinitionId?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Ids of tasks (or, in a batch, refs of its tasks) that must complete first' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  dependencies?: string[];

  @ApiPropertyOptional(anyJson('Any JSON value, given to the agent'))
  @Allow()
  input?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'JSON Schema the result must satisfy' })
  @IsOptional()
  @IsObject()
  outputSchema?: Record<string, unknown> | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 3 })
  @IsOptional()
  @IsInt()
  maxAttempts?: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  userId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  sessionId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  goalId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' })
  @IsOptional()
  @IsString()
  workflowExecutionId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' })
  @IsOptional()
  @IsString()
  stepExecutionId?: string | null;
}

export class BatchTaskRequestDto extends CreateTaskRequestDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'A name for this task that other tasks of the batch use in `dependencies`' })
  @IsOptional()
  @IsString()
  ref?: string;
}

export class CreateTasksRequestDto {
  @ApiProperty({ type: [BatchTaskRequestDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => BatchTaskRequestDto)
  tasks!: BatchTaskRequestDto[];
}
