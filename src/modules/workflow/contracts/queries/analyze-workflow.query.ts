import { Query } from '@nestjs/cqrs';
import { WorkflowAnalysis } from '../workflow.types';

/** Topological order, parallel levels, critical path and maximum parallelism of one version. */
export class AnalyzeWorkflowQuery extends Query<WorkflowAnalysis> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
  ) {
    super();
  }
}
