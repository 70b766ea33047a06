import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { GetWorkflowVersionQuery, WorkflowSnapshot } from '@cognition/workflow/contracts';
import { WorkflowReadModel } from '@cognition/workflow/infrastructure/workflow-read-model';

@QueryHandler(GetWorkflowVersionQuery)
export class GetWorkflowVersionQueryHandler implements IQueryHandler<GetWorkflowVersionQuery, WorkflowSnapshot> {
  constructor(private readonly reads: WorkflowReadModel) {}

  async execute({ tenantId, workflowId, version }: GetWorkflowVersionQuery): Promise<WorkflowSnapshot> {
    const snapshot = await this.reads.version(tenantId, workflowId, version);
    if (!snapshot) throw new DomainError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} version ${version} not found`);
    return snapshot;
  }
}
