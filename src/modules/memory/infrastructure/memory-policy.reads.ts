import { Injectable } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { decodeCursor, type Page, toPage } from '@cognition/platform/pagination/cursor';
import type { MemoryPolicyView } from '../contracts';
import { MemoryPolicy } from '../domain/lifecycle/memory-policy.aggregate';
import { MemorySql } from './memory-sql';
import { MEMORY_POLICY_COLUMNS, type MemoryPolicyRow, policySnapshotOf } from './memory-policy.sql-repository';

/** The read side of policies: pages, newest first (ids are UUIDv7, so id order is creation order). */
@Injectable()
export class MemoryPolicyReads {
  constructor(private readonly sql: MemorySql) {}

  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<MemoryPolicyView>> {
    const after = decodeCursor<{ id: string }>(cursor, ['id']);
    if (after && !isUuid(after.id)) throw new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);
    const rows = await this.sql.query<MemoryPolicyRow>(
      `SELECT ${MEMORY_POLICY_COLUMNS} FROM memory_policies WHERE tenant_id = $1 ${after ? 'AND id < $3' : ''} ORDER BY id DESC LIMIT $2`,
      after ? [tenantId, limit + 1, after.id] : [tenantId, limit + 1],
    );
    return toPage(rows, limit, (row) => MemoryPolicy.restore(policySnapshotOf(row)).toView(), (row) => ({ id: row.id }));
  }

  /** Every enabled policy of every tenant (the maintenance job's work list), oldest first. */
  async enabled(): Promise<{ tenantId: string; policyId: string }[]> {
    const rows = await this.sql.query<{ tenant_id: string; id: string }>(`SELECT tenant_id, id FROM memory_policies WHERE enabled ORDER BY id`);
    return rows.map((r) => ({ tenantId: r.tenant_id, policyId: r.id }));
  }
}
