import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { WorkflowSnapshot } from '../contracts';
import { WorkflowMapper } from './workflow.mapper';
import { WorkflowOrmEntity } from './workflow.orm-entity';

const COLUMNS = `tenant_id AS "tenantId", workflow_id AS "workflowId", version, name, description, status, steps, schedule, tags,
  input_schema AS "inputSchema", outputs, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt", row_version AS "rowVersion"`;

/** The prepared statement behind `GET /workflows/{id}/versions/{version}` (bench/api sends the same one). */
export const VERSION_STATEMENT = {
  name: 'cognitionos_workflow_version',
  text: `SELECT ${COLUMNS} FROM workflows WHERE tenant_id = $1 AND workflow_id = $2 AND version = $3`,
} as const;

/**
 * The read side of workflow versions: one prepared statement straight to a snapshot, no query
 * building and no aggregate (stored definitions were validated when written). Reads are the hot
 * path of the API and of the engine's plan cache.
 */
@Injectable()
@TimedRepository('workflow-read')
export class WorkflowReadModel {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly txHost: TransactionHost,
  ) {}

  version(tenantId: string, workflowId: string, version: string): Promise<WorkflowSnapshot | null> {
    return this.one(VERSION_STATEMENT.name, VERSION_STATEMENT.text, [tenantId, workflowId, version]);
  }

  /** The highest active version by semver, else the highest version. */
  async latest(tenantId: string, workflowId: string): Promise<WorkflowSnapshot | null> {
    return this.one(
      'cognitionos_workflow_latest',
      `SELECT ${COLUMNS} FROM workflows WHERE tenant_id = $1 AND workflow_id = $2
       ORDER BY (status = 'active') DESC, version_major DESC, version_minor DESC, version_patch DESC LIMIT 1`,
      [tenantId, workflowId],
    );
  }

  private async one(name: string, text: string, values: unknown[]): Promise<WorkflowSnapshot | null> {
    const host = this.txHost as unknown as Tx;
    // Inside a command's transaction, read on its connection: a second pool connection per
    // transaction could exhaust the pool under load (every holder waiting for one more).
    const rows: WorkflowOrmEntity[] = host.isTransactionActive()
      ? await host.tx.query(text, values)
      : (await (this.db.driver as unknown as { master: { query(q: object): Promise<{ rows: WorkflowOrmEntity[] }> } }).master.query({ name, text, values })).rows;
    return rows[0] ? WorkflowMapper.toSnapshot(rows[0]) : null;
  }
}
