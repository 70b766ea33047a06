import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../../../platform/domain';
import { WorkflowSnapshot } from '../../../contracts';
import { WorkflowRepository } from '../../../domain/workflow.repository.port';
import { GetWorkflowQuery } from '../../../contracts/queries/get-workflow.query';

@QueryHandler(GetWorkflowQuery)
export class GetWorkflowQueryHandler implements IQueryHandler<GetWorkflowQuery, WorkflowSnapshot> {
  constructor(private readonly workflows: WorkflowRepository) {}

  async execute({ tenantId, workflowId }: GetWorkflowQuery): Promise<WorkflowSnapshot> {
    const workflow = await this.workflows.findLatest(tenantId, workflowId);
    if (!workflow) throw new DomainError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} not found`);
    return workflow.toSnapshot();
  }
}
