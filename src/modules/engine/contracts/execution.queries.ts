import { Query } from '@nestjs/cqrs';
import type { Page } from '@cognition/platform/pagination/cursor';
import type { ExecutionStatus, ExecutionView, StepExecutionView } from './execution.types';

export class GetExecutionQuery extends Query<ExecutionView> {
  constructor(
    readonly tenantId: string,
    readonly executionId: string,
    readonly withSteps = true,
  ) {
    super();
  }
}

export class ListExecutionsQuery extends Query<Page<ExecutionView>> {
  constructor(
    readonly tenantId: string,
    /** `from` / `to`: creation time, at or after / before (ISO 8601). */
    readonly filter: { workflowId?: string; status?: ExecutionStatus; from?: string; to?: string },
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

/** One page of an execution's steps: the steps, then the forEach items (see readStepsPage). */
export class ListExecutionStepsQuery extends Query<Page<StepExecutionView>> {
  constructor(
    readonly tenantId: string,
    readonly executionId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
