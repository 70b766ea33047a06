import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { decodeCursor, Page, toPage } from '@cognition/platform/pagination/cursor';
import { WorkflowSnapshot } from '@cognition/workflow/contracts';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { ListWorkflowVersionsQuery } from '@cognition/workflow/contracts/queries/list-workflow-versions.query';

@QueryHandler(ListWorkflowVersionsQuery)
export class ListWorkflowVersionsQueryHandler implements IQueryHandler<ListWorkflowVersionsQuery, Page<WorkflowSnapshot>> {
  constructor(private readonly workflows: WorkflowRepository) {}

  async execute({ tenantId, workflowId, limit, cursor }: ListWorkflowVersionsQuery): Promise<Page<WorkflowSnapshot>> {
    const after = decodeCursor<{ version: string }>(cursor, ['version']);
    // A workflow has few versions: read them all (semver-sorted) and page in memory.
    const all = (await this.workflows.listVersions(tenantId, workflowId)).map((w) => w.toSnapshot());
    if (all.length === 0) throw new DomainError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} not found`);
    const start = after ? all.findIndex((s) => s.version === after.version) + 1 : 0;
    return toPage(all.slice(start, start + limit + 1), limit, (s) => s, (s) => ({ version: s.version }));
  }
}
