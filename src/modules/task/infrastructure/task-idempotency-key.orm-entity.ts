import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The first request made with an Idempotency-Key (per tenant): its hash and the tasks it created. */
@Entity({ name: 'task_idempotency_keys' })
/** Retention forgets keys after IDEMPOTENCY_KEY_RETENTION_HOURS, oldest first. */
@Index('idx_task_idempotency_keys_created', ['createdAt'])
export class TaskIdempotencyKeyOrmEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'pk_task_idempotency_keys' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_task_idempotency_keys' })
  key!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'task_ids', type: 'uuid', array: true, default: () => "'{}'" })
  taskIds!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
