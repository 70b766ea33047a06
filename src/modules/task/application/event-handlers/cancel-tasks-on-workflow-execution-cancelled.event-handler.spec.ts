import { taskUnitModule } from '@cognition/test-support/fakes/in-memory-task-module';
import { aTask, aTaskIn, TASK_TENANT } from '@cognition/test-support/mothers/task.mother';
import type { DomainEvent } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { WorkflowExecutionCancelled } from '@cognition/engine/contracts';
import { CancelTasksOnWorkflowExecutionCancelledEventHandler, WORKFLOW_CANCELLED_REASON } from './cancel-tasks-on-workflow-execution-cancelled.event-handler';

describe('CancelTasksOnWorkflowExecutionCancelledEventHandler', () => {
  it('cancels the execution’s unfinished tasks (and their dependents) once; finished and other tasks stay', async () => {
    const { moduleRef, repo } = await taskUnitModule(CancelTasksOnWorkflowExecutionCancelledEventHandler);
    const executionId = newId();
    const running = aTaskIn('in_progress', { workflowExecutionId: executionId });
    const done = aTaskIn('completed', { workflowExecutionId: executionId });
    const dependent = aTask({ dependencies: [running.id] });
    const elsewhere = aTask({ workflowExecutionId: newId() });
    await repo.insertMany([running, done, dependent, elsewhere]);
    const handler = moduleRef.get(CancelTasksOnWorkflowExecutionCancelledEventHandler);
    // The engine's payload types are interfaces, which the generic DomainEvent's Record payload does not accept.
    const event = new WorkflowExecutionCancelled(TASK_TENANT, executionId, { executionId, workflowId: 'wf', workflowVersion: '1.0.0' }) as unknown as DomainEvent;

    await handler.handle(event);
    expect(repo.stored(running.id)?.status).toBe('cancelled');
    expect(repo.stored(dependent.id)?.status).toBe('cancelled');
    expect(repo.stored(done.id)?.status).toBe('completed');
    expect(repo.stored(elsewhere.id)?.status).toBe('pending');
    const cancelled = repo.publishedEvents.filter((e) => e.type === 'TaskCancelled');
    expect(cancelled.map((e) => (e.payload as { reason: string }).reason)).toEqual([WORKFLOW_CANCELLED_REASON, `dependency ${running.id} cancelled`]);

    await handler.handle(event);
    expect(repo.publishedEvents.filter((e) => e.type === 'TaskCancelled')).toHaveLength(2);
  });
});
