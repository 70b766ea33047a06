import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { WorkflowSnapshot } from '@cognition/workflow/contracts';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { loadWorkflowVersion } from '../../load-workflow';
import { ChangeWorkflowStatusCommand } from '@cognition/workflow/contracts/commands/change-workflow-status.command';

@CommandHandler(ChangeWorkflowStatusCommand)
export class ChangeWorkflowStatusCommandHandler implements ICommandHandler<ChangeWorkflowStatusCommand, WorkflowSnapshot> {
  constructor(private readonly workflows: WorkflowRepository) {}

  @Transactional()
  async execute({ tenantId, workflowId, version, action }: ChangeWorkflowStatusCommand): Promise<WorkflowSnapshot> {
    const workflow = await loadWorkflowVersion(this.workflows, tenantId, workflowId, version);
    workflow[action](new Date());
    await this.workflows.update(workflow);
    return workflow.toSnapshot();
  }
}
