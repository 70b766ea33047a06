import { Injectable } from '@nestjs/common';
import { DurableEventHandler, DurableEventsHandler } from '@cognition/platform/outbox/durable-events-handler.decorator';
import { TaskAssigned, TaskCreated } from '@cognition/task/contracts';
import { linkStepToTask } from '../../infrastructure/step-task-links';
import { EngineSql } from '../engine-sql';

/** Fills `taskId` and `agentId` of an `agent_task` step (GET /executions/{id}) as its task is created and assigned. Idempotent. */
@Injectable()
@DurableEventsHandler('engine.link-agent-task-steps', TaskCreated, TaskAssigned)
export class LinkAgentTaskStepOnTaskAssignedEventHandler implements DurableEventHandler<TaskCreated | TaskAssigned> {
  constructor(private readonly db: EngineSql) {}

  async handle(event: TaskCreated | TaskAssigned): Promise<void> {
    const { stepExecutionId, taskId } = event.payload;
    if (!stepExecutionId) return;
    await linkStepToTask(this.db.sql, stepExecutionId, taskId, event instanceof TaskAssigned ? event.payload.agentId : null);
  }
}
