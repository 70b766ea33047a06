import { Query } from '@nestjs/cqrs';
import type { ScheduleDefinition } from '../workflow.types';

export interface ScheduledWorkflow {
  tenantId: string;
  workflowId: string;
  version: string;
  schedule: ScheduleDefinition;
  /** When the version last changed (for an active version: when it was activated). */
  activeSince: Date;
}

/** Every active version with a cron schedule, across tenants (for the engine's scheduler). */
export class ListScheduledWorkflowsQuery extends Query<ScheduledWorkflow[]> {}
