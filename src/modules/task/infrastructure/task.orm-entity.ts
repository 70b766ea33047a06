import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/** One row per task (see migrations/1764150400000-tasks.ts for why dependencies are a uuid[]). */
@Entity({ name: 'tasks' })
@Index('idx_tasks_tenant', ['tenantId', 'id'])
@Index('idx_tasks_tenant_status', ['tenantId', 'status', 'id'])
@Index('idx_tasks_tenant_agent', ['tenantId', 'assignedAgentId'])
@Index('idx_tasks_workflow_execution', ['tenantId', 'workflowExecutionId'])
@Index('idx_tasks_claim', { synchronize: false })
@Index('idx_tasks_dependencies', { synchronize: false })
export class TaskOrmEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_tasks' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column('text')
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column('text')
  priority!: string;

  /** 0 critical … 3 low: the claim orders by it. */
  @Column({ name: 'priority_rank', type: 'smallint' })
  priorityRank!: number;

  @Column({ name: 'required_capabilities', type: 'text', array: true, default: () => "'{}'" })
  requiredCapabilities!: string[];

  @Column({ name: 'preferred_role', type: 'text', nullable: true })
  preferredRole!: string | null;

  @Column({ name: 'agent_definition_id', type: 'uuid', nullable: true })
  agentDefinitionId!: string | null;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  dependencies!: string[];

  @Column({ type: 'jsonb', nullable: true })
  input!: unknown;

  @Column({ name: 'output_schema', type: 'jsonb', nullable: true })
  outputSchema!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: { code: string; message: string; details?: unknown } | null;

  @Column('text')
  status!: string;

  @Column({ name: 'assigned_agent_id', type: 'uuid', nullable: true })
  assignedAgentId!: string | null;

  @Column({ name: 'excluded_agent_ids', type: 'uuid', array: true, default: () => "'{}'" })
  excludedAgentIds!: string[];

  @Column('integer')
  attempt!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'session_id', type: 'text', nullable: true })
  sessionId!: string | null;

  @Column({ name: 'goal_id', type: 'text', nullable: true })
  goalId!: string | null;

  @Column({ name: 'workflow_execution_id', type: 'uuid', nullable: true })
  workflowExecutionId!: string | null;

  @Column({ name: 'step_execution_id', type: 'uuid', nullable: true })
  stepExecutionId!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Optimistic concurrency. */
  @VersionColumn({ type: 'integer' })
  version!: number;
}
