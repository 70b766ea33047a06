import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { limitsOf } from '@cognition/platform/limits/limits';
import { GetWorkflowQuery, GetWorkflowVersionQuery, WorkflowSnapshot } from '@cognition/workflow/contracts';
import { ExecutionPlan } from '../domain/execution-plan';

const MAX_PLANS = 5000;
/** How long a version's status is trusted before it is read again (it changes on deprecate/archive). */
const STATUS_TTL_MS = 1000;

/**
 * Execution plans of workflow versions, read from the workflow module through its queries. A
 * version that can run is immutable, so its plan is cached for good; its status is re-read after
 * a second so a deprecation stops new starts promptly.
 */
@Injectable()
export class WorkflowPlans {
  private readonly plans = new Map<string, ExecutionPlan>();
  private readonly statuses = new Map<string, { status: string; at: number }>();

  private readonly maxOutputBytes: number;

  constructor(
    private readonly queries: QueryBus,
    config: AppConfig,
  ) {
    this.maxOutputBytes = limitsOf(config.all).stepOutputBytes;
  }

  /** The plan of a version, for running it (any status: running executions continue). */
  async plan(tenantId: string, workflowId: string, version: string): Promise<ExecutionPlan> {
    const key = `${tenantId}:${workflowId}@${version}`;
    const cached = this.plans.get(key);
    if (cached) return cached;
    const snapshot = await this.queries.execute(new GetWorkflowVersionQuery(tenantId, workflowId, version));
    return this.remember(snapshot);
  }

  /** The version to start (the given one, else the latest active); it must be active. */
  async startable(tenantId: string, workflowId: string, version?: string): Promise<ExecutionPlan> {
    if (!version) {
      const latest = await this.queries.execute(new GetWorkflowQuery(tenantId, workflowId));
      this.assertActive(latest.workflowId, latest.version, latest.status);
      return this.remember(latest);
    }
    const key = `${tenantId}:${workflowId}@${version}`;
    const known = this.statuses.get(key);
    if (known && Date.now() - known.at < STATUS_TTL_MS && this.plans.has(key)) {
      this.assertActive(workflowId, version, known.status);
      return this.plans.get(key)!;
    }
    const snapshot = await this.queries.execute(new GetWorkflowVersionQuery(tenantId, workflowId, version));
    this.assertActive(workflowId, version, snapshot.status);
    return this.remember(snapshot);
  }

  private remember(snapshot: WorkflowSnapshot): ExecutionPlan {
    const key = `${snapshot.tenantId}:${snapshot.workflowId}@${snapshot.version}`;
    this.statuses.set(key, { status: snapshot.status, at: Date.now() });
    if (snapshot.status === 'draft') return this.build(snapshot);
    let plan = this.plans.get(key);
    if (!plan) {
      if (this.plans.size >= MAX_PLANS) {
        this.plans.clear();
        this.statuses.clear();
      }
      plan = this.build(snapshot);
      this.plans.set(key, plan);
    }
    return plan;
  }

  private build(snapshot: WorkflowSnapshot): ExecutionPlan {
    const plan = ExecutionPlan.fromSnapshot(snapshot);
    plan.maxOutputBytes = this.maxOutputBytes;
    return plan;
  }

  private assertActive(workflowId: string, version: string, status: string): void {
    if (status !== 'active') {
      throw new DomainError('WORKFLOW_NOT_ACTIVE', `Workflow ${workflowId} version ${version} is ${status}; only active versions can start executions`);
    }
  }
}
