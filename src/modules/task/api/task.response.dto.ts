import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { anyJson, nullableRef } from '@cognition/platform/http/openapi';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskView } from '../contracts';

export class TaskErrorResponseDto {
  @ApiProperty({ example: 'BUDGET_EXCEEDED' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional(anyJson()) details?: unknown;
}

@ApiExtraModels(TaskErrorResponseDto)
export class TaskResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ enum: TASK_PRIORITIES }) priority!: string;
  @ApiProperty({ type: [String] }) requiredCapabilities!: string[];
  @ApiProperty({ type: String, nullable: true }) preferredRole!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) agentDefinitionId!: string | null;
  @ApiProperty({ type: [String], description: 'Ids of the tasks this one waits for' }) dependencies!: string[];
  @ApiProperty(anyJson()) input!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) outputSchema!: Record<string, unknown> | null;
  @ApiProperty(anyJson('Any JSON: the result of a completed task')) output!: unknown;
  @ApiProperty(nullableRef(TaskErrorResponseDto, 'The last failed attempt’s error')) error!: TaskErrorResponseDto | null;
  @ApiProperty({ enum: TASK_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) assignedAgentId!: string | null;
  @ApiProperty({ type: [String], description: 'Agents that gave the task up; matching avoids them' }) excludedAgentIds!: string[];
  @ApiProperty({ description: 'Starts at 1; +1 on each retry' }) attempt!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) sessionId!: string | null;
  @ApiProperty({ type: String, nullable: true }) goalId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) workflowExecutionId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) stepExecutionId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'Optimistic concurrency version' }) version!: number;

  static from(view: TaskView): TaskResponseDto {
    const { tenantId: _tenantId, ...fields } = view;
    return fields;
  }
}

export class TaskListResponseDto {
  @ApiProperty({ type: [TaskResponseDto] }) items!: TaskResponseDto[];
}

export class TaskPageResponseDto extends TaskListResponseDto {
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page' }) nextCursor!: string | null;
}
