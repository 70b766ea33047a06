import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { WorkflowSnapshot } from '@cognition/workflow/contracts';
import { StepTypeRegistry } from '@cognition/workflow/domain/step-type-registry';
import { Workflow } from '@cognition/workflow/domain/workflow.aggregate';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { CreateWorkflowCommand } from '@cognition/workflow/contracts/commands/create-workflow.command';

@CommandHandler(CreateWorkflowCommand)
export class CreateWorkflowCommandHandler implements ICommandHandler<CreateWorkflowCommand, WorkflowSnapshot> {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly stepTypes: StepTypeRegistry,
  ) {}

  @Transactional()
  async execute(command: CreateWorkflowCommand): Promise<WorkflowSnapshot> {
    const now = new Date();
    const workflow = Workflow.create(
      { ...command.definition, tenantId: command.tenantId, workflowId: command.workflowId, version: command.version, createdBy: command.createdBy },
      this.stepTypes,
      now,
    );
    if (command.initialStatus === 'active') workflow.activate(now);
    await this.workflows.insert(workflow);
    return workflow.toSnapshot();
  }
}
