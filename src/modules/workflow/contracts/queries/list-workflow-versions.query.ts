import { Query } from '@nestjs/cqrs';
import type { Page } from '@cognition/platform/pagination/cursor';
import { WorkflowSnapshot } from '../workflow.types';

/** Every version of one workflow, oldest first (semver order). */
export class ListWorkflowVersionsQuery extends Query<Page<WorkflowSnapshot>> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
