import { ApiProperty } from '@nestjs/swagger';
import { anyJson } from '@cognition/platform/http/openapi';
import { TRACE_SPAN_STATUSES, TRACE_SPAN_TYPES } from '../contracts';

export class TraceSpanResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: TRACE_SPAN_TYPES }) type!: string;
  @ApiProperty({ description: 'Execution, step execution, task, agent run or ledger call id' }) entityId!: string;
  @ApiProperty({ type: String, nullable: true }) parentId!: string | null;
  @ApiProperty({ example: 'summarize@1.0.0' }) name!: string;
  @ApiProperty({ enum: TRACE_SPAN_STATUSES }) status!: string;
  @ApiProperty(anyJson()) inputs!: unknown;
  @ApiProperty(anyJson()) outputs!: unknown;
  @ApiProperty(anyJson()) error!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'model, provider, tokensIn, tokensOut, costUsd, attempt, …' })
  metadata!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'completedAt − startedAt; null until both are known' }) durationMs!: number | null;
}

export class TraceSpanListItemResponseDto extends TraceSpanResponseDto {
  @ApiProperty({ description: 'The root span of the trace this span belongs to' }) rootId!: string;
}

export class TraceSpanPageResponseDto {
  @ApiProperty({ type: [TraceSpanListItemResponseDto] }) items!: TraceSpanListItemResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class TraceNodeResponseDto extends TraceSpanResponseDto {
  @ApiProperty({ type: () => [TraceNodeResponseDto], description: 'Ordered by startedAt' }) children!: TraceNodeResponseDto[];
}

export class TraceTotalsResponseDto {
  @ApiProperty() tokensIn!: number;
  @ApiProperty() tokensOut!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty() modelCalls!: number;
  @ApiProperty() toolCalls!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The root span’s duration' }) durationMs!: number | null;
}

export class TraceTreeResponseDto extends TraceNodeResponseDto {
  @ApiProperty({ type: TraceTotalsResponseDto, description: 'Sums over the subtree’s model and tool calls' }) totals!: TraceTotalsResponseDto;
}
