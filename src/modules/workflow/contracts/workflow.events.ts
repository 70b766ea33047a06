import { DomainEvent } from '@cognition/platform/domain';
import type { ScheduleDefinition, WorkflowStatus } from './workflow.types';

/** Fields every workflow event carries (type aliases, so payloads fit `Record<string, unknown>`). The event's aggregateId is `${workflowId}@${version}`. */
export type WorkflowEventPayload = {
  workflowId: string;
  version: string;
  name: string;
  status: WorkflowStatus;
};

export type WorkflowCreatedPayload = WorkflowEventPayload & {
  stepCount: number;
  tags: string[];
  createdBy: string | null;
};

export type WorkflowUpdatedPayload = WorkflowEventPayload & {
  stepCount: number;
  tags: string[];
};

/** A status change; `schedule` lets the scheduler start or stop cron triggers without a read. */
export type WorkflowStatusChangedPayload = WorkflowEventPayload & {
  previousStatus: WorkflowStatus;
  schedule: ScheduleDefinition | null;
};

abstract class WorkflowEvent<P extends WorkflowEventPayload> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'Workflow';
  }
}

export class WorkflowCreated extends WorkflowEvent<WorkflowCreatedPayload> {}
export class WorkflowUpdated extends WorkflowEvent<WorkflowUpdatedPayload> {}
/** The version can now start executions; if it has a schedule, cron ticks start it. */
export class WorkflowActivated extends WorkflowEvent<WorkflowStatusChangedPayload> {}
/** No new executions of this version; running ones continue. */
export class WorkflowDeprecated extends WorkflowEvent<WorkflowStatusChangedPayload> {}
/** Final state; running executions continue. */
export class WorkflowArchived extends WorkflowEvent<WorkflowStatusChangedPayload> {}
/** A draft was deleted. */
export class WorkflowDeleted extends WorkflowEvent<WorkflowEventPayload> {}

/** Every workflow event class, for the outbox relay's type registry. */
export const WORKFLOW_EVENTS = [
  WorkflowCreated,
  WorkflowUpdated,
  WorkflowActivated,
  WorkflowDeprecated,
  WorkflowArchived,
  WorkflowDeleted,
] as const;
