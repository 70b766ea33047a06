import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { nullableRef } from '@cognition/platform/http/openapi';
import { AgentDefinitionView, Budget, FAILURE_STRATEGIES, FailureStrategy, ModelConfig } from '../contracts';

export class ModelSettingsResponseDto {
  @ApiProperty({ example: 'echo' }) provider!: string;
  @ApiProperty({ example: 'echo' }) model!: string;
  @ApiProperty({ example: 0.7 }) temperature!: number;
  @ApiProperty({ example: 2000 }) maxTokens!: number;
  @ApiProperty({ example: 1 }) topP!: number;
}

@ApiExtraModels(ModelSettingsResponseDto)
export class ModelConfigResponseDto extends ModelSettingsResponseDto {
  @ApiPropertyOptional(nullableRef(ModelSettingsResponseDto)) fallback!: ModelSettingsResponseDto | null;

  static from(m: ModelConfig): ModelConfigResponseDto {
    const settings = (s: Omit<ModelConfig, 'fallback'>) => ({ provider: s.provider, model: s.model, temperature: s.temperature, maxTokens: s.maxTokens, topP: s.topP });
    return { ...settings(m), fallback: m.fallback ? settings(m.fallback) : null };
  }
}

export class BudgetResponseDto implements Budget {
  @ApiProperty({ example: 32000 }) maxTokens!: number;
  @ApiProperty({ example: 1 }) maxCostUsd!: number;
  @ApiProperty({ example: 300 }) maxTimeSeconds!: number;
  @ApiProperty({ example: 10 }) maxToolExecutions!: number;

  static from(b: Budget): BudgetResponseDto {
    return { maxTokens: b.maxTokens, maxCostUsd: b.maxCostUsd, maxTimeSeconds: b.maxTimeSeconds, maxToolExecutions: b.maxToolExecutions };
  }
}

export class AgentDefinitionResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ticket-summarizer' }) name!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ example: 'summarizer' }) role!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: [String] }) capabilities!: string[];
  @ApiProperty({ type: [String] }) tools!: string[];
  @ApiProperty({ type: ModelConfigResponseDto }) modelConfig!: ModelConfigResponseDto;
  @ApiProperty({ type: BudgetResponseDto }) defaultBudget!: BudgetResponseDto;
  @ApiProperty({ type: [String], example: ['http'], description: 'Granted to every agent instantiated from the definition' }) permissions!: string[];
  @ApiProperty() systemPromptTemplate!: string;
  @ApiProperty({ enum: FAILURE_STRATEGIES }) failureStrategy!: FailureStrategy;
  @ApiProperty({ description: 'Row revision for optimistic concurrency (send as If-Match on PUT)' }) revision!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(v: AgentDefinitionView): AgentDefinitionResponseDto {
    return {
      id: v.id,
      name: v.name,
      version: v.version,
      role: v.role,
      description: v.description,
      capabilities: v.capabilities,
      tools: v.tools,
      modelConfig: ModelConfigResponseDto.from(v.modelConfig),
      defaultBudget: BudgetResponseDto.from(v.defaultBudget),
      permissions: v.permissions,
      systemPromptTemplate: v.systemPromptTemplate,
      failureStrategy: v.failureStrategy,
      revision: v.revision,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }
}

export class AgentDefinitionPageResponseDto {
  @ApiProperty({ type: [AgentDefinitionResponseDto] }) items!: AgentDefinitionResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page' }) nextCursor!: string | null;
}
