import { WorkflowSnapshot } from '../contracts';
import { Workflow } from '../domain/workflow.aggregate';
import { WorkflowOrmEntity } from './workflow.orm-entity';

/** Workflow aggregate ⇄ `workflows` row. */
export const WorkflowMapper = {
  toDomain(row: WorkflowOrmEntity): Workflow {
    return Workflow.restore(WorkflowMapper.toSnapshot(row));
  },

  toSnapshot(row: WorkflowOrmEntity): WorkflowSnapshot {
    return {
      tenantId: row.tenantId,
      workflowId: row.workflowId,
      version: row.version,
      name: row.name,
      description: row.description,
      steps: row.steps as WorkflowSnapshot['steps'],
      status: row.status as WorkflowSnapshot['status'],
      schedule: row.schedule ? { cron: row.schedule.cron, timezone: row.schedule.timezone ?? 'UTC' } : null,
      tags: row.tags,
      inputSchema: row.inputSchema,
      outputs: row.outputs,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      revision: row.rowVersion,
    };
  },

  toRow(workflow: Workflow): WorkflowOrmEntity {
    const s = workflow.toSnapshot();
    const [major, minor, patch] = s.version.split('.').map(Number);
    const row = new WorkflowOrmEntity();
    Object.assign(row, {
      tenantId: s.tenantId,
      workflowId: s.workflowId,
      version: s.version,
      versionMajor: major,
      versionMinor: minor,
      versionPatch: patch,
      name: s.name,
      description: s.description,
      status: s.status,
      steps: s.steps,
      schedule: s.schedule,
      tags: s.tags,
      inputSchema: s.inputSchema,
      outputs: s.outputs,
      createdBy: s.createdBy,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      rowVersion: s.revision,
    });
    return row;
  },
};
