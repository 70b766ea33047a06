import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { nullableRef } from '@cognition/platform/http/openapi';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { BUILT_IN_ROLES, FAILURE_STRATEGIES, type FailureStrategy } from '../contracts';
import { MODEL_PROVIDERS } from '../domain/model-config';

/**
 * The shape of an agent definition on the wire. This layer checks types and rejects unknown
 * fields; the domain checks every rule (ranges, formats, tools, the template) and lists all problems.
 */
export class ModelSettingsRequestDto {
  @ApiPropertyOptional({ enum: MODEL_PROVIDERS, description: 'Default: the server’s MODEL_PROVIDER (for a fallback: the primary’s provider)' })
  @IsOptional()
  @IsString()
  provider?: string;

  @ApiPropertyOptional({ example: 'gpt-4o-mini', description: 'Required unless the provider is echo (default `echo`)' })
  @IsOptional()
  @IsString()
  model?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 2, default: 0.7 })
  @IsOptional()
  @IsNumber()
  temperature?: number;

  @ApiPropertyOptional({ minimum: 1, default: 2000, description: 'Per model call' })
  @IsOptional()
  @IsNumber()
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 1 })
  @IsOptional()
  @IsNumber()
  topP?: number;
}

@ApiExtraModels(ModelSettingsRequestDto)
export class ModelConfigRequestDto extends ModelSettingsRequestDto {
  @ApiPropertyOptional(nullableRef(ModelSettingsRequestDto, 'Used by the fallback failure strategy; omitted fields come from the primary config'))
  @IsOptional()
  @ValidateNested()
  @Type(() => ModelSettingsRequestDto)
  fallback?: ModelSettingsRequestDto | null;
}

export class BudgetRequestDto {
  @ApiPropertyOptional({ minimum: 1, example: 32000 })
  @IsOptional()
  @IsNumber()
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 0.000001, example: 1.0 })
  @IsOptional()
  @IsNumber()
  maxCostUsd?: number;

  @ApiPropertyOptional({ minimum: 0.001, example: 300 })
  @IsOptional()
  @IsNumber()
  maxTimeSeconds?: number;

  @ApiPropertyOptional({ minimum: 1, example: 10 })
  @IsOptional()
  @IsNumber()
  maxToolExecutions?: number;
}

/** Every field of a definition but name and version. */
export class AgentDefinitionFieldsRequestDto {
  @ApiProperty({ example: 'reasoner', description: `${BUILT_IN_ROLES.join(', ')} or a custom role (1–64 characters, [a-z0-9_-])` })
  @IsString()
  role!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['summarize', 'web'], description: 'Unique' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  capabilities?: string[];

  @ApiPropertyOptional({ type: [String], example: ['http_fetch'], description: 'Names of registered tools (unique)' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tools?: string[];

  @ApiPropertyOptional({ type: ModelConfigRequestDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ModelConfigRequestDto)
  modelConfig?: ModelConfigRequestDto;

  @ApiPropertyOptional({ type: BudgetRequestDto, description: 'Default 32000 tokens, 1.0 USD, 300 s, 10 tool executions' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BudgetRequestDto)
  defaultBudget?: BudgetRequestDto;

  @ApiPropertyOptional({
    type: [String],
    example: ['http'],
    default: [],
    description: 'Permissions granted to every agent instantiated from the definition, on top of those the instantiation asks for (unique; `destructive` for destructive tools)',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  permissions?: string[];

  @ApiPropertyOptional({
    example: 'You are a ${{ agent.role }} agent working on "${{ task.name }}".',
    description: 'A `${{ CEL }}` template rendered with `agent` and `task` (checked at registration)',
  })
  @IsOptional()
  @IsString()
  systemPromptTemplate?: string;

  @ApiPropertyOptional({ enum: FAILURE_STRATEGIES, default: 'retry' })
  @IsOptional()
  @IsString()
  failureStrategy?: FailureStrategy;
}

export class RegisterAgentDefinitionRequestDto extends AgentDefinitionFieldsRequestDto {
  @ApiProperty({ example: 'ticket-summarizer', description: 'A slug of 1–128 characters' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ example: '1.0.0', default: '1.0.0', description: 'Semver MAJOR.MINOR.PATCH' })
  @IsOptional()
  @IsString()
  version?: string;
}

/** PUT replaces every field; name and version cannot change (when sent, they must be the stored ones). */
export class UpdateAgentDefinitionRequestDto extends AgentDefinitionFieldsRequestDto {
  @ApiPropertyOptional({ description: 'Immutable' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ description: 'Immutable' })
  @IsOptional()
  @IsString()
  version?: string;
}

export class ListAgentDefinitionsRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  role?: string;
}
