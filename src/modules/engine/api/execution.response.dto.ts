import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { anyJson, nullableRef } from '@cognition/platform/http/openapi';
import { EventEnvelopeResponseDto } from '@cognition/platform/outbox/event-envelope.response.dto';

export class ExecutionErrorResponseDto {
  @ApiProperty({ example: 'STEP_TIMEOUT' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: 'The first failed step' }) stepId?: string;
}

export class StepExecutionResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() stepId!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'forEach item index; null for the step itself' }) itemIndex!: number | null;
  @ApiProperty() type!: string;
  @ApiProperty({ enum: ['pending', 'running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled'] }) status!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty(anyJson()) output!: unknown;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) error!: unknown;
  @ApiProperty({ type: String, nullable: true, example: 'CONDITION_FALSE' }) skipReason!: string | null;
  @ApiProperty({ type: String, nullable: true }) agentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) taskId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) availableAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt!: string | null;
}

@ApiExtraModels(ExecutionErrorResponseDto)
export class ExecutionResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty() workflowVersion!: string;
  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) inputs!: Record<string, unknown>;
  @ApiProperty(anyJson('{<stepId>: output}, or the workflow’s declared outputs (any JSON)')) outputs!: unknown;
  @ApiProperty(nullableRef(ExecutionErrorResponseDto)) error!: ExecutionErrorResponseDto | null;
  @ApiProperty({ type: String, nullable: true }) parentExecutionId!: string | null;
  @ApiProperty({ type: String, nullable: true }) idempotencyKey!: string | null;
  @ApiProperty({ enum: ['api', 'schedule', 'parent'] }) triggeredBy!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({
    type: [StepExecutionResponseDto],
    description: 'GET /executions/{id} (and cancel, retry): the first page of steps (at most 100) — the steps themselves by step id, then the forEach items by step id and item index',
  })
  steps?: StepExecutionResponseDto[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'With `steps`: the cursor of GET /executions/{id}/steps for the steps after these; null when `steps` holds them all' })
  stepsNextCursor?: string | null;
}

export class StepExecutionPageResponseDto {
  @ApiProperty({ type: [StepExecutionResponseDto] }) items!: StepExecutionResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'The cursor of the next page; null on the last' }) nextCursor!: string | null;
}

export class ExecutionPageResponseDto {
  @ApiProperty({ type: [ExecutionResponseDto] }) items!: ExecutionResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class SignalResponseDto {
  @ApiProperty({ description: 'true: a waiting step took it; false: kept until a step waits for it' }) delivered!: boolean;
}

/** The `data` of each SSE event of GET /executions/{id}/events: the event envelope of SPEC §7, plus `executionId`. */
export class ExecutionEventEnvelopeResponseDto extends EventEnvelopeResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The event id (also the SSE `id:`; send it back as `Last-Event-ID` to resume)' })
  declare id: string;
  @ApiProperty({ description: 'The execution id' })
  declare aggregateId: string;
  @ApiProperty({ description: 'The execution id (the same as aggregateId)' })
  executionId!: string;
}

/** One Server-Sent Event of GET /executions/{id}/events, as its fields. */
@ApiExtraModels(ExecutionEventEnvelopeResponseDto)
export class ExecutionStreamEventResponseDto {
  @ApiProperty({ format: 'uuid', description: 'SSE `id:` field: the event id' })
  id!: string;
  @ApiProperty({ description: 'SSE `event:` field: the event type' })
  event!: string;
  @ApiProperty({ type: ExecutionEventEnvelopeResponseDto, description: 'SSE `data:` field: the envelope as one line of JSON' })
  data!: ExecutionEventEnvelopeResponseDto;
}
