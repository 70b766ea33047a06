import { Command } from '@nestjs/cqrs';

/** Deletes a draft version. Other statuses are immutable. */
export class DeleteWorkflowDraftCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
  ) {
    super();
  }
}
