import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { loadWorkflowVersion } from '../../load-workflow';
import { DeleteWorkflowDraftCommand } from '@cognition/workflow/contracts/commands/delete-workflow-draft.command';

@CommandHandler(DeleteWorkflowDraftCommand)
export class DeleteWorkflowDraftCommandHandler implements ICommandHandler<DeleteWorkflowDraftCommand, void> {
  constructor(private readonly workflows: WorkflowRepository) {}

  @Transactional()
  async execute({ tenantId, workflowId, version }: DeleteWorkflowDraftCommand): Promise<void> {
    const workflow = await loadWorkflowVersion(this.workflows, tenantId, workflowId, version);
    workflow.markDeleted(new Date());
    await this.workflows.delete(workflow);
  }
}
