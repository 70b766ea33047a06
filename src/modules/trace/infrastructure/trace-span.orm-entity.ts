import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

/**
 * One span of a trace. Written only by the projection's upsert (raw SQL); the entity exists so
 * the migration drift check covers the table.
 */
@Entity({ name: 'trace_spans' })
@Unique('uq_trace_spans_entity', ['tenantId', 'entityId', 'type'])
@Index('idx_trace_spans_parent', ['tenantId', 'parentId'])
@Index('idx_trace_spans_type', ['tenantId', 'type', 'id'])
export class TraceSpanOrmEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_trace_spans' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** workflow | step | task | agent_action | model_call | tool_call */
  @Column('text')
  type!: string;

  /** The traced thing's id: execution, step execution, task, agent run, ledger call. */
  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column('text')
  name!: string;

  /** pending | running | completed | failed | cancelled */
  @Column('text')
  status!: string;

  @Column({ type: 'jsonb', nullable: true })
  inputs!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  outputs!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: unknown;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, unknown>;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /**
   * The outbox transaction id and position of the event that set `status`: the relay's delivery
   * order, so an event re-delivered after a later one is recognised as older.
   */
  @Column({ name: 'status_event_tx', type: 'bigint', nullable: true })
  statusEventTx!: string | null;

  @Column({ name: 'status_event_position', type: 'bigint', nullable: true })
  statusEventPosition!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
