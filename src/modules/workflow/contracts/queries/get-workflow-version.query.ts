import { Query } from '@nestjs/cqrs';
import { WorkflowSnapshot } from '../workflow.types';

export class GetWorkflowVersionQuery extends Query<WorkflowSnapshot> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
  ) {
    super();
  }
}
