import { Command } from '@nestjs/cqrs';
import { WorkflowSnapshot } from '../workflow.types';

export type WorkflowStatusAction = 'activate' | 'deprecate' | 'archive';

/** activate (draft → active), deprecate (active → deprecated), archive (any but archived → archived). */
export class ChangeWorkflowStatusCommand extends Command<WorkflowSnapshot> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
    readonly action: WorkflowStatusAction,
  ) {
    super();
  }
}
