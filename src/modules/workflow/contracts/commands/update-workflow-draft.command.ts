import { Command } from '@nestjs/cqrs';
import { WorkflowSnapshot } from '../workflow.types';
import type { WorkflowDefinitionInput } from '../../domain/workflow-definition.value-object';

/** Replaces a draft's definition in place (PUT). Only drafts are editable. */
export class UpdateWorkflowDraftCommand extends Command<WorkflowSnapshot> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
    readonly definition: WorkflowDefinitionInput,
  ) {
    super();
  }
}
