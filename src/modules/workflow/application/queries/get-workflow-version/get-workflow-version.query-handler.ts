import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { WorkflowSnapshot } from '../../../contracts';
import { WorkflowRepository } from '../../../domain/workflow.repository.port';
import { loadWorkflowVersion } from '../../load-workflow';
import { GetWorkflowVersionQuery } from '../../../contracts/queries/get-workflow-version.query';

@QueryHandler(GetWorkflowVersionQuery)
export class GetWorkflowVersionQueryHandler implements IQueryHandler<GetWorkflowVersionQuery, WorkflowSnapshot> {
  constructor(private readonly workflows: WorkflowRepository) {}

  async execute({ tenantId, workflowId, version }: GetWorkflowVersionQuery): Promise<WorkflowSnapshot> {
    return (await loadWorkflowVersion(this.workflows, tenantId, workflowId, version)).toSnapshot();
  }
}
