import { Injectable } from '@nestjs/common';
import { Brackets, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError } from '@cognition/platform/domain';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { Workflow } from '../domain/workflow.aggregate';
import { WorkflowListFilter, WorkflowRepository } from '../domain/workflow.repository.port';
import { WorkflowMapper } from './workflow.mapper';
import { WorkflowOrmEntity } from './workflow.orm-entity';


/** Workflows in PostgreSQL; every write also appends the aggregate's events to the outbox. */
@Injectable()
@TimedRepository('workflow')
export class TypeOrmWorkflowRepository extends WorkflowRepository {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  private query(tenantId: string): SelectQueryBuilder<WorkflowOrmEntity> {
    return this.host.tx.getRepository(WorkflowOrmEntity).createQueryBuilder('w').where('w.tenant_id = :tenantId', { tenantId });
  }

  async findVersion(tenantId: string, workflowId: string, version: string): Promise<Workflow | null> {
    const row = await this.query(tenantId).andWhere('w.workflow_id = :workflowId AND w.version = :version', { workflowId, version }).getOne();
    return row ? WorkflowMapper.toDomain(row) : null;
  }

  async listVersions(tenantId: string, workflowId: string): Promise<Workflow[]> {
    const rows = await this.query(tenantId)
      .andWhere('w.workflow_id = :workflowId', { workflowId })
      .orderBy('w.version_major', 'ASC')
      .addOrderBy('w.version_minor', 'ASC')
      .addOrderBy('w.version_patch', 'ASC')
      .getMany();
    return rows.map(WorkflowMapper.toDomain);
  }

  async list(tenantId: string, filter: WorkflowListFilter): Promise<Workflow[]> {
    const qb = this.query(tenantId);
    if (filter.status) qb.andWhere('w.status = :status', { status: filter.status });
    if (filter.tag) qb.andWhere(':tag = ANY(w.tags)', { tag: filter.tag });
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(new Brackets((b) => b.where('w.name ILIKE :like', { like }).orWhere('w.workflow_id ILIKE :like', { like })));
    }
    if (filter.after) {
      const [major, minor, patch] = filter.after.version.split('.').map(Number);
      qb.andWhere('(w.workflow_id, w.version_major, w.version_minor, w.version_patch) > (:aid, :amaj, :amin, :apat)', {
        aid: filter.after.workflowId,
        amaj: major,
        amin: minor,
        apat: patch,
      });
    }
    const rows = await qb
      .orderBy('w.workflow_id', 'ASC')
      .addOrderBy('w.version_major', 'ASC')
      .addOrderBy('w.version_minor', 'ASC')
      .addOrderBy('w.version_patch', 'ASC')
      .limit(filter.limit)
      .getMany();
    return rows.map(WorkflowMapper.toDomain);
  }

  async listScheduled(): Promise<Workflow[]> {
    const rows = await this.host.tx
      .getRepository(WorkflowOrmEntity)
      .createQueryBuilder('w')
      .where(`w.status = 'active' AND w.schedule IS NOT NULL`)
      .orderBy('w.tenant_id')
      .addOrderBy('w.workflow_id')
      .getMany();
    return rows.map(WorkflowMapper.toDomain);
  }

  async insert(workflow: Workflow): Promise<void> {
    const row = WorkflowMapper.toRow(workflow);
    row.rowVersion = 1;
    const result = await this.host.tx.createQueryBuilder().insert().into(WorkflowOrmEntity).values(row as QueryDeepPartialEntity<WorkflowOrmEntity>).orIgnore().returning(['tenantId']).execute();
    if (!result.raw.length) {
      throw new DomainError('WORKFLOW_VERSION_EXISTS', `Workflow ${row.workflowId} version ${row.version} already exists; publish a new version instead`);
    }
    workflow.markPersisted(1);
    await this.outbox.append(workflow.pullEvents());
  }

  async update(workflow: Workflow): Promise<void> {
    const row = WorkflowMapper.toRow(workflow);
    const { tenantId, workflowId, version, rowVersion, createdAt: _c, ...changes } = row;
    const result = await this.host.tx
      .createQueryBuilder()
      .update(WorkflowOrmEntity)
      .set({ ...changes, rowVersion: rowVersion + 1 } as QueryDeepPartialEntity<WorkflowOrmEntity>)
      .where('tenant_id = :tenantId AND workflow_id = :workflowId AND version = :version AND row_version = :rowVersion', {
        tenantId,
        workflowId,
        version,
        rowVersion,
      })
      .execute();
    if (!result.affected) throw concurrentModification(workflowId, version);
    workflow.markPersisted(rowVersion + 1);
    await this.outbox.append(workflow.pullEvents());
  }

  async delete(workflow: Workflow): Promise<void> {
    const s = workflow.toSnapshot();
    const result = await this.host.tx
      .createQueryBuilder()
      .delete()
      .from(WorkflowOrmEntity)
      .where('tenant_id = :tenantId AND workflow_id = :workflowId AND version = :version AND row_version = :revision', s)
      .execute();
    if (!result.affected) throw concurrentModification(s.workflowId, s.version);
    await this.outbox.append(workflow.pullEvents());
  }
}

function concurrentModification(workflowId: string, version: string): DomainError {
  return new DomainError('CONCURRENT_MODIFICATION', `Workflow ${workflowId} version ${version} was changed by someone else; reload and retry`);
}
