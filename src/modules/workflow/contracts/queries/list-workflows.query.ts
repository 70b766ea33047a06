import { Query } from '@nestjs/cqrs';
import type { Page } from '@cognition/platform/pagination/cursor';
import { WorkflowSnapshot, WorkflowStatus } from '../workflow.types';

export interface ListWorkflowsFilter {
  status?: WorkflowStatus;
  tag?: string;
  /** Case-insensitive search in the name and the id. */
  q?: string;
}

/** One item per workflow version, ordered by id then semver. */
export class ListWorkflowsQuery extends Query<Page<WorkflowSnapshot>> {
  constructor(
    readonly tenantId: string,
    readonly filter: ListWorkflowsFilter,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
