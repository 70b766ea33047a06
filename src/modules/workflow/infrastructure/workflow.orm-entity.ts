import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/** One row per workflow version. The definition (steps, outputs, inputSchema) is one JSON document. */
@Entity({ name: 'workflows' })
@Index('idx_workflows_tenant_status', ['tenantId', 'status'])
@Index('idx_workflows_tags', { synchronize: false })
export class WorkflowOrmEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'pk_workflows' })
  tenantId!: string;

  @PrimaryColumn({ name: 'workflow_id', type: 'text', primaryKeyConstraintName: 'pk_workflows' })
  workflowId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_workflows' })
  version!: string;

  /** Semver parts, so versions sort numerically in SQL. */
  @Column({ name: 'version_major', type: 'integer' })
  versionMajor!: number;

  @Column({ name: 'version_minor', type: 'integer' })
  versionMinor!: number;

  @Column({ name: 'version_patch', type: 'integer' })
  versionPatch!: number;

  @Column('text')
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column('text')
  status!: string;

  @Column('jsonb')
  steps!: Record<string, unknown>[];

  @Column({ type: 'jsonb', nullable: true })
  schedule!: { cron: string; timezone?: string } | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ name: 'input_schema', type: 'jsonb', nullable: true })
  inputSchema!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  outputs!: Record<string, unknown> | null;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Optimistic concurrency (the semver `version` is the definition's, this is the row's). */
  @VersionColumn({ name: 'row_version', type: 'integer' })
  rowVersion!: number;
}
