import { ApiProperty } from '@nestjs/swagger';
import { anyJson } from '@cognition/platform/http/openapi';
import type { EventEnvelope } from './event-envelope';

/** The event envelope of SPEC §7 (see event-envelope.ts). */
export class EventEnvelopeResponseDto implements EventEnvelope {
  @ApiProperty({ format: 'uuid', description: 'The event id (UUIDv7)' })
  id!: string;
  @ApiProperty({ description: 'Position in the outbox (a bigint, as a decimal string)', example: '1042' })
  position!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ description: 'The event type', example: 'StepExecutionCompleted' })
  type!: string;
  @ApiProperty({ example: 'WorkflowExecution' }) aggregateType!: string;
  @ApiProperty({ description: 'The id of the aggregate the event belongs to' }) aggregateId!: string;
  @ApiProperty(anyJson('The event’s payload')) payload!: unknown;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The correlation id of the request or job that caused the event' })
  correlationId!: string | null;
}
