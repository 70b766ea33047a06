import { Injectable } from '@nestjs/common';
import { SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { TaskCompleted, TaskCreated, TaskRequeued } from '../contracts/task.events';
import { TASKS_CHANNEL, type TaskStatus } from '../contracts/task.types';
import type { Task } from '../domain/task.aggregate';
import { TaskListFilter, TaskRepository } from '../domain/task.repository.port';
import { TaskMapper } from './task.mapper';
import { TaskOrmEntity } from './task.orm-entity';

/** Events after which a task may be claimable: it became pending, or a dependency completed. */
const WAKING_EVENTS = [TaskCreated, TaskRequeued, TaskCompleted];

/** Tasks in PostgreSQL; every write also appends the aggregate's events to the outbox. */
@Injectable()
@TimedRepository('task')
export class TypeOrmTaskRepository extends TaskRepository {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  private query(tenantId: string): SelectQueryBuilder<TaskOrmEntity> {
    return this.host.tx.getRepository(TaskOrmEntity).createQueryBuilder('t').where('t.tenant_id = :tenantId', { tenantId });
  }

  async findById(tenantId: string, id: string): Promise<Task | null> {
    const row = await this.query(tenantId).andWhere('t.id = :id', { id }).getOne();
    return row ? TaskMapper.toDomain(row) : null;
  }

  async findByIds(tenantId: string, ids: readonly string[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    const rows = await this.query(tenantId).andWhere('t.id IN (:...ids)', { ids }).getMany();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [TaskMapper.toDomain(row)] : [];
    });
  }

  async lockDependencies(tenantId: string, ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; status: TaskStatus }[] = await this.host.tx.query(
      `SELECT id, status FROM tasks WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR SHARE`,
      [tenantId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async list(tenantId: string, filter: TaskListFilter): Promise<Task[]> {
    const qb = this.query(tenantId);
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.priority) qb.andWhere('t.priority = :priority', { priority: filter.priority });
    if (filter.agentId) qb.andWhere('t.assigned_agent_id = :agentId', { agentId: filter.agentId });
    if (filter.workflowExecutionId) qb.andWhere('t.workflow_execution_id = :executionId', { executionId: filter.workflowExecutionId });
    if (filter.beforeId) qb.andWhere('t.id < :beforeId', { beforeId: filter.beforeId });
    const rows = await qb.orderBy('t.id', 'DESC').limit(filter.limit).getMany();
    return rows.map(TaskMapper.toDomain);
  }

  async findPendingDependents(tenantId: string, taskIds: readonly string[]): Promise<Task[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.query(tenantId)
      .andWhere(`t.status = 'pending' AND t.dependencies && CAST(:taskIds AS uuid[])`, { taskIds })
      .orderBy('t.id')
      .getMany();
    return rows.map(TaskMapper.toDomain);
  }

  async findUnfinishedByWorkflowExecution(tenantId: string, workflowExecutionId: string): Promise<Task[]> {
    const rows = await this.query(tenantId)
      .andWhere(`t.workflow_execution_id = :workflowExecutionId AND t.status IN ('pending', 'assigned', 'in_progress')`, { workflowExecutionId })
      .orderBy('t.id')
      .getMany();
    return rows.map(TaskMapper.toDomain);
  }

  /**
   * One statement, served by the partial index idx_tasks_claim (pending only, in claim order):
   * a task whose dependency is not completed is passed over; rows another claimer holds are skipped.
   */
  async claimAssignable(limit: number): Promise<Task[]> {
    const rows = await this.host.tx
      .getRepository(TaskOrmEntity)
      .createQueryBuilder('t')
      .where(`t.status = 'pending'`)
      .andWhere(`NOT EXISTS (SELECT 1 FROM tasks d WHERE d.id = ANY(t.dependencies) AND d.status <> 'completed')`)
      .orderBy('t.priorityRank', 'ASC')
      .addOrderBy('t.createdAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    return rows.map(TaskMapper.toDomain);
  }

  async insertMany(tasks: readonly Task[]): Promise<void> {
    if (tasks.length === 0) return;
    const rows = tasks.map((task) => ({ ...TaskMapper.toRow(task), version: 1 }));
    await this.host.tx
      .createQueryBuilder()
      .insert()
      .into(TaskOrmEntity)
      .values(rows as QueryDeepPartialEntity<TaskOrmEntity>[])
      .updateEntity(false)
      .execute();
    tasks.forEach((task) => task.markPersisted(1));
    await this.afterWrite(tasks);
  }

  async update(task: Task): Promise<void> {
    const { id, tenantId, version, createdAt: _createdAt, ...changes } = TaskMapper.toRow(task);
    const result = await this.host.tx
      .createQueryBuilder()
      .update(TaskOrmEntity)
      .set({ ...changes, version: version + 1 } as QueryDeepPartialEntity<TaskOrmEntity>)
      .where('id = :id AND tenant_id = :tenantId AND version = :version', { id, tenantId, version })
      .updateEntity(false)
      .execute();
    if (!result.affected) {
      throw new DomainError('CONCURRENT_MODIFICATION', `Task ${id} was changed by someone else; reload and retry`);
    }
    task.markPersisted(version + 1);
    await this.afterWrite([task]);
  }

  /** Appends the events to the outbox and, if a task may have become claimable, wakes agent workers (at commit). */
  private async afterWrite(tasks: readonly Task[]): Promise<void> {
    const events: DomainEvent[] = tasks.flatMap((task) => task.pullEvents());
    await this.outbox.append(events);
    if (events.some((e) => WAKING_EVENTS.some((type) => e instanceof type))) {
      await this.host.tx.query(`SELECT pg_notify('${TASKS_CHANNEL}', '')`);
    }
  }
}
