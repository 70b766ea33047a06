import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { nullableRef } from '@cognition/platform/http/openapi';
import { StepDefinition, WorkflowAnalysis, WorkflowSnapshot } from '../contracts';
import { RetryPolicyRequestDto, ScheduleRequestDto } from './workflow-definition.request.dto';

export class StepResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty() timeoutSeconds!: number;
  @ApiProperty({ type: RetryPolicyRequestDto }) retry!: RetryPolicyRequestDto;
  @ApiProperty({ type: String, nullable: true }) condition!: string | null;
  @ApiProperty({ type: String, nullable: true }) forEach!: string | null;
  @ApiProperty({ type: String, nullable: true }) agentRole!: string | null;
  @ApiProperty({ type: String, nullable: true }) concurrencyKey!: string | null;

  /** Fixed field order (JSONB storage does not keep it). */
  static from(s: StepDefinition): StepResponseDto {
    const { maxAttempts, backoff, initialDelayMs, maxDelayMs, jitter } = s.retry;
    return {
      id: s.id,
      type: s.type,
      name: s.name,
      params: s.params,
      dependsOn: s.dependsOn,
      timeoutSeconds: s.timeoutSeconds,
      retry: { maxAttempts, backoff, initialDelayMs, maxDelayMs, jitter },
      condition: s.condition,
      forEach: s.forEach,
      agentRole: s.agentRole,
      concurrencyKey: s.concurrencyKey,
    };
  }
}

@ApiExtraModels(ScheduleRequestDto)
export class WorkflowResponseDto {
  @ApiProperty({ example: 'summarize-ticket' }) id!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ enum: ['draft', 'active', 'deprecated', 'archived'] }) status!: string;
  @ApiProperty({ type: [StepResponseDto] }) steps!: StepResponseDto[];
  @ApiPropertyOptional(nullableRef(ScheduleRequestDto)) schedule!: ScheduleRequestDto | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) inputSchema!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) outputs!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) createdBy!: string | null;
  @ApiProperty({ description: 'Row revision for optimistic concurrency' }) revision!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(s: WorkflowSnapshot): WorkflowResponseDto {
    return {
      id: s.workflowId,
      version: s.version,
      name: s.name,
      description: s.description,
      status: s.status,
      steps: s.steps.map(StepResponseDto.from),
      schedule: s.schedule,
      tags: s.tags,
      inputSchema: s.inputSchema,
      outputs: s.outputs,
      createdBy: s.createdBy,
      revision: s.revision,
      createdAt: new Date(s.createdAt).toISOString(),
      updatedAt: new Date(s.updatedAt).toISOString(),
    };
  }
}

export class WorkflowPageResponseDto {
  @ApiProperty({ type: [WorkflowResponseDto] }) items!: WorkflowResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page' }) nextCursor!: string | null;
}

export class WorkflowAnalysisResponseDto implements WorkflowAnalysis {
  @ApiProperty({ type: [String], description: 'Dependencies first' }) topologicalOrder!: string[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'Steps that can run in parallel, level by level' })
  levels!: string[][];
  @ApiProperty({ type: [String], description: 'Longest dependency chain, by step count' }) criticalPath!: string[];
  @ApiProperty({ description: 'Width of the widest level' }) maxParallelism!: number;
}
