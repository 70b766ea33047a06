import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { WorkflowSnapshot } from '@cognition/workflow/contracts';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { ListWorkflowsQuery } from '@cognition/workflow/contracts/queries/list-workflows.query';

@QueryHandler(ListWorkflowsQuery)
export class ListWorkflowsQueryHandler implements IQueryHandler<ListWorkflowsQuery, Page<WorkflowSnapshot>> {
  constructor(private readonly workflows: WorkflowRepository) {}

  async execute({ tenantId, filter, limit, cursor }: ListWorkflowsQuery): Promise<Page<WorkflowSnapshot>> {
    const after = decodeCursor<{ workflowId: string; version: string }>(cursor, ['workflowId', 'version']);
    const rows = await this.workflows.list(tenantId, { ...filter, limit: limit + 1, after });
    return toPage(
      rows.map((w) => w.toSnapshot()),
      limit,
      (s) => s,
      (s) => ({ workflowId: s.workflowId, version: s.version }),
    );
  }
}
