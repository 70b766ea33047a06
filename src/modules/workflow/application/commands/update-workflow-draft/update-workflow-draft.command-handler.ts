import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { WorkflowSnapshot } from '@cognition/workflow/contracts';
import { StepTypeRegistry } from '@cognition/workflow/domain/step-type-registry';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { loadWorkflowVersion } from '../../load-workflow';
import { UpdateWorkflowDraftCommand } from '@cognition/workflow/contracts/commands/update-workflow-draft.command';

@CommandHandler(UpdateWorkflowDraftCommand)
export class UpdateWorkflowDraftCommandHandler implements ICommandHandler<UpdateWorkflowDraftCommand, WorkflowSnapshot> {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly stepTypes: StepTypeRegistry,
  ) {}

  @Transactional()
  async execute({ tenantId, workflowId, version, definition }: UpdateWorkflowDraftCommand): Promise<WorkflowSnapshot> {
    const workflow = await loadWorkflowVersion(this.workflows, tenantId, workflowId, version);
    workflow.updateDraft(definition, this.stepTypes, new Date());
    await this.workflows.update(workflow);
    return workflow.toSnapshot();
  }
}
