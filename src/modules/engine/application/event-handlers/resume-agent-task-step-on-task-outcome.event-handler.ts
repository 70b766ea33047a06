import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { DurableEventHandler, DurableEventsHandler } from '@cognition/platform/outbox/durable-events-handler.decorator';
import { TaskCancelled, TaskCompleted, TaskFailed } from '@cognition/task/contracts';
import { SendSignalCommand } from '../../contracts';
import { TASK_SIGNAL_PREFIX, TaskOutcome } from '../../step-types/agent-task.step-type';

/**
 * Wakes the `agent_task` step waiting for a task when the task ends, through the step's reserved
 * signal (buffered if the step is not waiting yet, so neither side can miss the other).
 * Durable: at least once, in commit order; a repeat finds the signal consumed or the execution over.
 */
@Injectable()
@DurableEventsHandler('engine.resume-agent-task-steps', TaskCompleted, TaskFailed, TaskCancelled)
export class ResumeAgentTaskStepOnTaskOutcomeEventHandler implements DurableEventHandler<TaskCompleted | TaskFailed | TaskCancelled> {
  constructor(private readonly commands: CommandBus) {}

  async handle(event: TaskCompleted | TaskFailed | TaskCancelled): Promise<void> {
    const { workflowExecutionId, stepExecutionId, taskId } = event.payload;
    if (!workflowExecutionId || !stepExecutionId) return;
    if (event instanceof TaskFailed && event.payload.willRetry) return;
    const outcome: TaskOutcome =
      event instanceof TaskCompleted
        ? { taskId, status: 'completed', output: event.payload.output }
        : event instanceof TaskFailed
          ? { taskId, status: 'failed', error: event.payload.error }
          : { taskId, status: 'cancelled', error: { code: 'TASK_CANCELLED', message: event.payload.reason } };
    try {
      await this.commands.execute(new SendSignalCommand(event.tenantId, workflowExecutionId, `${TASK_SIGNAL_PREFIX}${taskId}`, outcome));
    } catch (error) {
      // The execution ended (cancelled, or gone): nobody waits for this task any more.
      if (error instanceof DomainError && (error.code === 'EXECUTION_NOT_RUNNING' || error.code === 'EXECUTION_NOT_FOUND')) return;
      throw error;
    }
  }
}
