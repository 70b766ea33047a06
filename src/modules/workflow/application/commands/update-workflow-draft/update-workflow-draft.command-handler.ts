import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '../../../../../platform/transaction/transaction';
import { WorkflowSnapshot } from '../../../contracts';
import { StepTypeRegistry } from '../../../domain/step-type-registry';
import { WorkflowRepository } from '../../../domain/workflow.repository.port';
import { loadWorkflowVersion } from '../../load-workflow';
import { UpdateWorkflowDraftCommand } from '../../../contracts/commands/update-workflow-draft.command';

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
