import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { ModelConfig } from '../contracts/agent.types';
import { AgentDefinitionOrmEntity } from './agent-definition.orm-entity';

/**
 * One row per agent. Config, limits and usage are real columns: the worker matches agents in SQL
 * and the usage ledger adds to the totals with one conditional UPDATE. Numeric and bigint columns
 * arrive from pg as strings; the mapper turns them into numbers.
 */
@Entity({ name: 'agents' })
@Index('idx_agents_tenant_status', ['tenantId', 'status'])
@Index('idx_agents_definition_status', ['definitionId', 'status'])
export class AgentOrmEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_agents' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'definition_id', type: 'uuid' })
  definitionId!: string;

  @ManyToOne(() => AgentDefinitionOrmEntity)
  @JoinColumn({ name: 'definition_id', foreignKeyConstraintName: 'fk_agents_definition' })
  definition?: AgentDefinitionOrmEntity;

  @Column('text')
  name!: string;

  @Column('text')
  role!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  capabilities!: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tools!: string[];

  @Column({ name: 'model_config', type: 'jsonb' })
  modelConfig!: ModelConfig;

  @Column({ name: 'system_prompt_template', type: 'text' })
  systemPromptTemplate!: string;

  @Column({ name: 'failure_strategy', type: 'text' })
  failureStrategy!: string;

  @Column({ name: 'max_tokens', type: 'bigint' })
  maxTokens!: string;

  @Column({ name: 'max_cost_usd', type: 'numeric', precision: 14, scale: 6 })
  maxCostUsd!: string;

  @Column({ name: 'max_time_seconds', type: 'numeric', precision: 12, scale: 3 })
  maxTimeSeconds!: string;

  @Column({ name: 'max_tool_executions', type: 'integer' })
  maxToolExecutions!: number;

  @Column({ name: 'tokens_used', type: 'bigint', default: 0 })
  tokensUsed!: string;

  @Column({ name: 'cost_usd', type: 'numeric', precision: 14, scale: 6, default: 0 })
  costUsd!: string;

  @Column({ name: 'time_seconds', type: 'numeric', precision: 12, scale: 3, default: 0 })
  timeSeconds!: string;

  @Column({ name: 'tool_executions', type: 'integer', default: 0 })
  toolExecutions!: number;

  @Column({ name: 'budget_warned_at', type: 'timestamptz', nullable: true })
  budgetWarnedAt!: Date | null;

  @Column({ name: 'granted_permissions', type: 'text', array: true, default: () => "'{}'" })
  grantedPermissions!: string[];

  @Column('text')
  status!: string;

  @Column({ name: 'current_task_id', type: 'uuid', nullable: true })
  currentTaskId!: string | null;

  @Column({ name: 'last_active_at', type: 'timestamptz', nullable: true })
  lastActiveAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ name: 'row_version', type: 'integer' })
  rowVersion!: number;
}
