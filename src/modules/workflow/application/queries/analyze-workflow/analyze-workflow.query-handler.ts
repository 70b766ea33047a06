import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { WorkflowAnalysis } from '@cognition/workflow/contracts';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { loadWorkflowVersion } from '../../load-workflow';
import { AnalyzeWorkflowQuery } from '@cognition/workflow/contracts/queries/analyze-workflow.query';

@QueryHandler(AnalyzeWorkflowQuery)
export class AnalyzeWorkflowQueryHandler implements IQueryHandler<AnalyzeWorkflowQuery, WorkflowAnalysis> {
  constructor(private readonly workflows: WorkflowRepository) {}

  async execute({ tenantId, workflowId, version }: AnalyzeWorkflowQuery): Promise<WorkflowAnalysis> {
    return (await loadWorkflowVersion(this.workflows, tenantId, workflowId, version)).analyze();
  }
}
