import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactional } from '../../../../../platform/transaction/transaction';
import { WorkflowSnapshot } from '../../../contracts';
import { StepTypeRegistry } from '../../../domain/step-type-registry';
import { Workflow } from '../../../domain/workflow.aggregate';
import { WorkflowRepository } from '../../../domain/workflow.repository.port';
import { CreateWorkflowCommand } from '../../../contracts/commands/create-workflow.command';

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
