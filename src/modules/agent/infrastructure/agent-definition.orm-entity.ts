import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Budget, ModelConfig } from '../contracts/agent.types';

/**
 * One row per agent definition. Deleting a definition sets `deleted_at` (its agents keep their
 * foreign key, and the name and version can be registered again: the unique index is partial).
 */
@Entity({ name: 'agent_definitions' })
@Index('idx_agent_definitions_tenant', ['tenantId', 'id'])
@Index('uq_agent_definitions_name_version', { synchronize: false })
export class AgentDefinitionOrmEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_agent_definitions' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  version!: string;

  @Column('text')
  role!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  capabilities!: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tools!: string[];

  @Column({ name: 'model_config', type: 'jsonb' })
  modelConfig!: ModelConfig;

  @Column({ name: 'default_budget', type: 'jsonb' })
  defaultBudget!: Budget;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  permissions!: string[];

  @Column({ name: 'system_prompt_template', type: 'text' })
  systemPromptTemplate!: string;

  @Column({ name: 'failure_strategy', type: 'text' })
  failureStrategy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @VersionColumn({ name: 'row_version', type: 'integer' })
  rowVersion!: number;
}
