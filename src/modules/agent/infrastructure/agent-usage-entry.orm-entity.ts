import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { AgentOrmEntity } from './agent.orm-entity';

/** The usage ledger: one row per accepted model call or tool call (written by raw SQL, see TypeOrmAgentUsageLedger). */
@Entity({ name: 'agent_usage_ledger' })
@Index('idx_agent_usage_ledger_agent_created', ['agentId', 'createdAt'])
/** Retention's walk, oldest first (UsageLedgerRetentionJob). */
@Index('idx_agent_usage_ledger_created', ['createdAt'])
export class AgentUsageEntryOrmEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_agent_usage_ledger' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @ManyToOne(() => AgentOrmEntity)
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'fk_agent_usage_ledger_agent' })
  agent?: AgentOrmEntity;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  /** `model_call` or `tool_call`. */
  @Column('text')
  kind!: string;

  /** The model or the tool. */
  @Column('text')
  name!: string;

  @Column({ type: 'text', nullable: true })
  provider!: string | null;

  @Column({ name: 'tokens_in', type: 'integer' })
  tokensIn!: number;

  @Column({ name: 'tokens_out', type: 'integer' })
  tokensOut!: number;

  @Column({ name: 'cost_usd', type: 'numeric', precision: 14, scale: 6 })
  costUsd!: string;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  /** `succeeded` or `failed`. */
  @Column('text')
  status!: string;

  @Column({ type: 'jsonb', nullable: true })
  error!: { code: string; message: string } | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
