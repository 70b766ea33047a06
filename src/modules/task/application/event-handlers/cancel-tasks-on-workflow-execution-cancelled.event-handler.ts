import { Injectable } from '@nestjs/common';
import type { DomainEvent } from '@cognition/platform/domain';
import { DurableEventHandler, DurableEventsHandler } from '@cognition/platform/outbox/durable-events-handler.decorator';
import { Transactional } from '@cognition/platform/transaction/transaction';
import { WorkflowExecutionCancelled } from '@cognition/engine/contracts';
import { TaskRepository } from '../../domain/task.repository.port';
import { TaskCascade } from '../task-cascade';

export const WORKFLOW_CANCELLED_REASON = 'workflow execution cancelled';

/**
 * A cancelled workflow execution cancels its unfinished tasks (and their dependents). Durable:
 * delivered at least once even across crashes; idempotent, as finished tasks are left alone.
 */
@Injectable()
@DurableEventsHandler('task.cancel-on-workflow-execution-cancelled', WorkflowExecutionCancelled)
export class CancelTasksOnWorkflowExecutionCancelledEventHandler implements DurableEventHandler {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly cascade: TaskCascade,
  ) {}

  @Transactional()
  async handle(event: DomainEvent): Promise<void> {
    const { executionId } = (event as unknown as WorkflowExecutionCancelled).payload;
    const now = new Date();
    const unfinished = await this.tasks.findUnfinishedByWorkflowExecution(event.tenantId, executionId);
    for (const task of unfinished) {
      task.cancel(WORKFLOW_CANCELLED_REASON, now);
      await this.tasks.update(task);
    }
    await this.cascade.cancelDependentsOf(unfinished, now);
  }
}
