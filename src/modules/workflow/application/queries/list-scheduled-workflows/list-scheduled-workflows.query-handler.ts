import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ListScheduledWorkflowsQuery, ScheduledWorkflow } from '@cognition/workflow/contracts/queries/list-scheduled-workflows.query';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';

@QueryHandler(ListScheduledWorkflowsQuery)
export class ListScheduledWorkflowsQueryHandler implements IQueryHandler<ListScheduledWorkflowsQuery, ScheduledWorkflow[]> {
  constructor(private readonly workflows: WorkflowRepository) {}

  async execute(): Promise<ScheduledWorkflow[]> {
    const rows = await this.workflows.listScheduled();
    return rows.map((w) => {
      const s = w.toSnapshot();
      return { tenantId: s.tenantId, workflowId: s.workflowId, version: s.version, schedule: s.schedule!, activeSince: s.updatedAt };
    });
  }
}
