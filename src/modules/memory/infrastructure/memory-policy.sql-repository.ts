import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import type { MemoryImportance } from '../contracts';
import { MemoryPolicy, type MemoryPolicySnapshot } from '../domain/lifecycle/memory-policy.aggregate';
import { MemoryPolicyRepository } from '../domain/lifecycle/memory-policy.repository.port';
import { MemorySql } from './memory-sql';

export interface MemoryPolicyRow {
  id: string;
  tenant_id: string;
  name: string;
  namespace: string;
  compress_after_days: number | null;
  archive_after_days: number | null;
  delete_after_days: number | null;
  importance_threshold: string;
  max_memories: number | null;
  ttl_days: number | null;
  enabled: boolean;
  last_applied_at: Date | null;
  created_at: Date;
  updated_at: Date;
  row_version: number;
}

export const MEMORY_POLICY_COLUMNS =
  'id, tenant_id, name, namespace::text AS namespace, compress_after_days, archive_after_days, delete_after_days, importance_threshold, ' +
  'max_memories, ttl_days, enabled, last_applied_at, created_at, updated_at, row_version';

export function policySnapshotOf(row: MemoryPolicyRow): MemoryPolicySnapshot {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    namespace: row.namespace,
    compressAfterDays: row.compress_after_days,
    archiveAfterDays: row.archive_after_days,
    deleteAfterDays: row.delete_after_days,
    importanceThreshold: row.importance_threshold as MemoryImportance,
    maxMemories: row.max_memories,
    ttlDays: row.ttl_days,
    enabled: row.enabled,
    lastAppliedAt: row.last_applied_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: row.row_version,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return (e?.driverError?.code ?? e?.code) === '23505';
}

const exists = (name: string) => new DomainError('MEMORY_POLICY_EXISTS', `A memory policy named ${JSON.stringify(name)} already exists`);

/** Lifecycle policies in `memory_policies` (raw SQL), their events in the same transaction. */
@Injectable()
export class MemoryPolicySqlRepository extends MemoryPolicyRepository {
  constructor(
    private readonly sql: MemorySql,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  async insert(policy: MemoryPolicy): Promise<void> {
    const s = policy.toSnapshot();
    const rows = await this.sql.query(
      `INSERT INTO memory_policies (id, tenant_id, name, namespace, compress_after_days, archive_after_days, delete_after_days,
         importance_threshold, max_memories, ttl_days, enabled, created_at, updated_at, row_version)
       VALUES ($1, $2, $3, $4::ltree, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)
       ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id`,
      [s.id, s.tenantId, s.name, s.namespace, s.compressAfterDays, s.archiveAfterDays, s.deleteAfterDays, s.importanceThreshold, s.maxMemories, s.ttlDays, s.enabled, s.createdAt, s.revision],
    );
    if (rows.length === 0) throw exists(s.name);
    await this.outbox.append(policy.pullEvents());
  }

  async findById(tenantId: string, policyId: string, forUpdate = false): Promise<MemoryPolicy | null> {
    if (!isUuid(policyId)) return null;
    const rows = await this.sql.query<MemoryPolicyRow>(
      `SELECT ${MEMORY_POLICY_COLUMNS} FROM memory_policies WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, policyId.toLowerCase()],
    );
    return rows[0] ? MemoryPolicy.restore(policySnapshotOf(rows[0])) : null;
  }

  async update(policy: MemoryPolicy): Promise<void> {
    const s = policy.toSnapshot();
    let rows: { id: string }[];
    try {
      rows = await this.sql.query(
        `UPDATE memory_policies SET name = $3, namespace = $4::ltree, compress_after_days = $5, archive_after_days = $6, delete_after_days = $7,
           importance_threshold = $8, max_memories = $9, ttl_days = $10, enabled = $11, last_applied_at = $12, updated_at = $13, row_version = $14
         WHERE tenant_id = $1 AND id = $2 AND row_version = $15 RETURNING id`,
        [s.tenantId, s.id, s.name, s.namespace, s.compressAfterDays, s.archiveAfterDays, s.deleteAfterDays, s.importanceThreshold, s.maxMemories, s.ttlDays, s.enabled, s.lastAppliedAt, s.updatedAt, s.revision, policy.loadedRevision],
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw exists(s.name);
      throw error;
    }
    if (rows.length === 0) throw new DomainError('CONCURRENT_MODIFICATION', `Memory policy ${s.id} was changed by someone else; reload and retry`);
    await this.outbox.append(policy.pullEvents());
  }

  async delete(policy: MemoryPolicy): Promise<void> {
    await this.sql.query(`DELETE FROM memory_policies WHERE tenant_id = $1 AND id = $2`, [policy.tenantId, policy.id]);
    await this.outbox.append(policy.pullEvents());
  }
}
