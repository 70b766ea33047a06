import { Injectable } from '@nestjs/common';
import { SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { AgentDefinition } from '../domain/agent-definition.aggregate';
import { AgentDefinitionListFilter, AgentDefinitionRepository } from '../domain/agent-definition.repository.port';
import { AgentDefinitionMapper } from './agent-definition.mapper';
import { AgentDefinitionOrmEntity } from './agent-definition.orm-entity';

/** Agent definitions in PostgreSQL; every write also appends the aggregate's events to the outbox. */
@Injectable()
@TimedRepository('agent-definition')
export class TypeOrmAgentDefinitionRepository extends AgentDefinitionRepository {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  private query(tenantId: string): SelectQueryBuilder<AgentDefinitionOrmEntity> {
    return this.host.tx
      .getRepository(AgentDefinitionOrmEntity)
      .createQueryBuilder('d')
      .where('d.tenant_id = :tenantId AND d.deleted_at IS NULL', { tenantId });
  }

  async findById(tenantId: string, id: string, lock?: 'share' | 'update'): Promise<AgentDefinition | null> {
    if (!isUuid(id)) return null;
    const qb = this.query(tenantId).andWhere('d.id = :id', { id });
    if (lock) qb.setLock(lock === 'share' ? 'pessimistic_read' : 'pessimistic_write');
    const row = await qb.getOne();
    return row ? AgentDefinitionMapper.toDomain(row) : null;
  }

  async list(tenantId: string, filter: AgentDefinitionListFilter): Promise<AgentDefinition[]> {
    const qb = this.query(tenantId);
    if (filter.name) qb.andWhere('d.name = :name', { name: filter.name });
    if (filter.role) qb.andWhere('d.role = :role', { role: filter.role });
    if (filter.afterId) qb.andWhere('d.id > :afterId', { afterId: filter.afterId });
    const rows = await qb.orderBy('d.id', 'ASC').limit(filter.limit).getMany();
    return rows.map(AgentDefinitionMapper.toDomain);
  }

  async insert(definition: AgentDefinition): Promise<void> {
    const row = AgentDefinitionMapper.toRow(definition);
    row.rowVersion = 1;
    // ON CONFLICT DO NOTHING with no target covers the partial unique index on (tenant, name, version).
    const result = await this.host.tx
      .createQueryBuilder()
      .insert()
      .into(AgentDefinitionOrmEntity)
      .values(row as QueryDeepPartialEntity<AgentDefinitionOrmEntity>)
      .orIgnore()
      .returning(['id'])
      .execute();
    if (!result.raw.length) {
      throw new DomainError('AGENT_DEFINITION_EXISTS', `Agent definition ${row.name} version ${row.version} already exists; register a new version instead`);
    }
    definition.markPersisted(1);
    await this.outbox.append(definition.pullEvents());
  }

  async update(definition: AgentDefinition): Promise<void> {
    const { id, tenantId, rowVersion, createdAt: _c, deletedAt: _d, name: _n, version: _v, ...changes } = AgentDefinitionMapper.toRow(definition);
    const result = await this.host.tx
      .createQueryBuilder()
      .update(AgentDefinitionOrmEntity)
      .set({ ...changes, rowVersion: rowVersion + 1 } as QueryDeepPartialEntity<AgentDefinitionOrmEntity>)
      .where('tenant_id = :tenantId AND id = :id AND row_version = :rowVersion AND deleted_at IS NULL', { tenantId, id, rowVersion })
      .execute();
    if (!result.affected) throw concurrentModification(id);
    definition.markPersisted(rowVersion + 1);
    await this.outbox.append(definition.pullEvents());
  }

  async delete(definition: AgentDefinition): Promise<void> {
    const s = definition.toState();
    const result = await this.host.tx
      .createQueryBuilder()
      .update(AgentDefinitionOrmEntity)
      .set({ deletedAt: s.updatedAt, updatedAt: s.updatedAt, rowVersion: s.revision + 1 })
      .where('tenant_id = :tenantId AND id = :id AND row_version = :revision AND deleted_at IS NULL', s)
      .execute();
    if (!result.affected) throw concurrentModification(s.id);
    definition.markPersisted(s.revision + 1);
    await this.outbox.append(definition.pullEvents());
  }
}

function concurrentModification(id: string): DomainError {
  return new DomainError('CONCURRENT_MODIFICATION', `Agent definition ${id} was changed by someone else; reload and retry`);
}
