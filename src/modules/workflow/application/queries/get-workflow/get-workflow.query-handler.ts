import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { GetWorkflowQuery, WorkflowSnapshot } from '@cognition/workflow/contracts';
import { WorkflowReadModel } from '@cognition/workflow/infrastructure/workflow-read-model';

@QueryHandler(GetWorkflowQuery)
export class GetWorkflowQueryHandler implements IQueryHandler<GetWorkflowQuery, WorkflowSnapshot> {
  constructor(private readonly reads: WorkflowReadModel) {}

  async execute({ tenantId, workflowId }: GetWorkflowQuery): Promise<WorkflowSnapshot> {
    const snapshot = await this.reads.latest(tenantId, workflowId);
    if (!snapshot) throw new DomainError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} not found`);
    return snapshot;
  }
}
