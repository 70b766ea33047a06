import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import { nullableRef } from '@cognition/platform/http/openapi';
import { AGENT_STATUSES, AgentStatus, AgentUsageView, AgentView, BudgetUsage, FAILURE_STRATEGIES, FailureStrategy, UsageEntryView } from '../contracts';
import { BudgetResponseDto, ModelConfigResponseDto } from './agent-definition.response.dto';

export class BudgetUsageResponseDto implements BudgetUsage {
  @ApiProperty() tokensUsed!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty() timeSeconds!: number;
  @ApiProperty() toolExecutions!: number;

  static from(u: BudgetUsage): BudgetUsageResponseDto {
    return { tokensUsed: u.tokensUsed, costUsd: u.costUsd, timeSeconds: u.timeSeconds, toolExecutions: u.toolExecutions };
  }
}

export class AgentResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) definitionId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ enum: AGENT_STATUSES }) status!: AgentStatus;
  @ApiProperty({ type: [String] }) capabilities!: string[];
  @ApiProperty({ type: [String] }) tools!: string[];
  @ApiProperty({ type: ModelConfigResponseDto }) modelConfig!: ModelConfigResponseDto;
  @ApiProperty() systemPromptTemplate!: string;
  @ApiProperty({ enum: FAILURE_STRATEGIES }) failureStrategy!: FailureStrategy;
  @ApiProperty({ type: BudgetResponseDto }) budgetLimits!: BudgetResponseDto;
  @ApiProperty({ type: BudgetUsageResponseDto }) budgetUsage!: BudgetUsageResponseDto;
  @ApiProperty({ type: [String] }) grantedPermissions!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) currentTaskId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastActiveAt!: string | null;
  @ApiProperty({ description: 'Row revision for optimistic concurrency' }) revision!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(v: AgentView): AgentResponseDto {
    return {
      id: v.id,
      definitionId: v.definitionId,
      name: v.name,
      role: v.role,
      status: v.status,
      capabilities: v.capabilities,
      tools: v.tools,
      modelConfig: ModelConfigResponseDto.from(v.modelConfig),
      systemPromptTemplate: v.systemPromptTemplate,
      failureStrategy: v.failureStrategy,
      budgetLimits: BudgetResponseDto.from(v.budgetLimits),
      budgetUsage: BudgetUsageResponseDto.from(v.budgetUsage),
      grantedPermissions: v.grantedPermissions,
      currentTaskId: v.currentTaskId,
      lastActiveAt: v.lastActiveAt,
      revision: v.revision,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }
}

export class AgentPageResponseDto {
  @ApiProperty({ type: [AgentResponseDto] }) items!: AgentResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page' }) nextCursor!: string | null;
}

class ErrorResponseDto {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

@ApiExtraModels(ErrorResponseDto)
export class UsageEntryResponseDto implements UsageEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) taskId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) runId!: string | null;
  @ApiProperty({ enum: ['model_call', 'tool_call'] }) kind!: 'model_call' | 'tool_call';
  @ApiProperty({ description: 'The model or the tool' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) provider!: string | null;
  @ApiProperty() tokensIn!: number;
  @ApiProperty() tokensOut!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) status!: 'succeeded' | 'failed';
  @ApiProperty(nullableRef(ErrorResponseDto)) error!: { code: string; message: string } | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class LedgerTotalsResponseDto {
  @ApiProperty() tokensIn!: number;
  @ApiProperty() tokensOut!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty() durationMs!: number;
  @ApiProperty() modelCalls!: number;
  @ApiProperty() toolCalls!: number;
}

export class AgentUsageResponseDto implements AgentUsageView {
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ type: BudgetResponseDto }) budgetLimits!: BudgetResponseDto;
  @ApiProperty({ type: BudgetUsageResponseDto }) budgetUsage!: BudgetUsageResponseDto;
  @ApiProperty({ type: LedgerTotalsResponseDto, description: 'Sums over the whole ledger (equal to budgetUsage unless the budget was reset)' })
  ledgerTotals!: LedgerTotalsResponseDto;
  @ApiProperty({ type: [UsageEntryResponseDto], description: 'Latest first' }) entries!: UsageEntryResponseDto[];
}
