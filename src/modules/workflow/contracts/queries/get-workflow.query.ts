import { Query } from '@nestjs/cqrs';
import { WorkflowSnapshot } from '../workflow.types';

/** The latest active version of a workflow, else its latest version. */
export class GetWorkflowQuery extends Query<WorkflowSnapshot> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
  ) {
    super();
  }
}
