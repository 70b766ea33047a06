import { Command } from '@nestjs/cqrs';
import { WorkflowSnapshot } from '../workflow.types';
import type { WorkflowDefinitionInput } from '../../domain/workflow-definition.value-object';

export class CreateWorkflowCommand extends Command<WorkflowSnapshot> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
    readonly definition: WorkflowDefinitionInput,
    /** `active` publishes the new version at once. */
    readonly initialStatus: 'draft' | 'active' = 'draft',
    readonly createdBy: string | null = null,
  ) {
    super();
  }
}
