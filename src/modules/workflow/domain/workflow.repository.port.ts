import type { WorkflowStatus } from '../contracts/workflow.types';
import type { Workflow } from './workflow.aggregate';

export interface WorkflowListFilter {
  status?: WorkflowStatus;
  tag?: string;
  /** Case-insensitive substring of the workflow id or name. */
  q?: string;
  limit: number;
  /** Keyset cursor: rows strictly after this (workflowId, semver version). */
  after?: { workflowId: string; version: string };
}

/**
 * Port (DI token) for workflow versions, all scoped by tenant. Adapters also append
 * `workflow.pullEvents()` to the outbox in the same transaction as the write.
 */
export abstract class WorkflowRepository {
  abstract findVersion(tenantId: string, workflowId: string, version: string): Promise<Workflow | null>;

  /** Every version of one workflow, semver ascending. */
  abstract listVersions(tenantId: string, workflowId: string): Promise<Workflow[]>;

  /** One item per (workflowId, version), ordered by workflowId then semver ascending. */
  abstract list(tenantId: string, filter: WorkflowListFilter): Promise<Workflow[]>;

  /** Active versions with a cron schedule, of every tenant (for the scheduler). */
  abstract listScheduled(): Promise<Workflow[]>;

  /** Stores a new version with revision 1; DomainError WORKFLOW_VERSION_EXISTS if it exists. */
  abstract insert(workflow: Workflow): Promise<void>;

  /**
   * Optimistic write: DomainError CONCURRENT_MODIFICATION when the stored revision is not
   * `workflow.revision` (the one loaded); otherwise stores revision + 1.
   */
  abstract update(workflow: Workflow): Promise<void>;

  /** Removes a version (same revision check as update). */
  abstract delete(workflow: Workflow): Promise<void>;
}
