import { taskUnitModule } from '@cognition/test-support/fakes/in-memory-task-module';
import { aTask, aTaskIn, OTHER_TENANT, TASK_TENANT } from '@cognition/test-support/mothers/task.mother';
import { CancelTaskCommand, RetryTaskCommand } from '@cognition/task/contracts';
import { RetryTaskCommandHandler } from '../retry-task/retry-task.command-handler';
import { CancelTaskCommandHandler } from './cancel-task.command-handler';

describe('CancelTaskCommandHandler and RetryTaskCommandHandler', () => {
  it('cancels a task and its pending dependents; a second cancel is TASK_ALREADY_FINISHED', async () => {
    const { moduleRef, repo } = await taskUnitModule(CancelTaskCommandHandler);
    const task = aTask();
    const dependent = aTask({ dependencies: [task.id] });
    await repo.insertMany([task, dependent]);
    const handler = moduleRef.get(CancelTaskCommandHandler);
    expect(await handler.execute(new CancelTaskCommand(TASK_TENANT, task.id))).toMatchObject({ status: 'cancelled' });
    expect(repo.stored(dependent.id)?.status).toBe('cancelled');
    await expect(handler.execute(new CancelTaskCommand(TASK_TENANT, task.id))).rejects.toMatchObject({ code: 'TASK_ALREADY_FINISHED' });
  });

  it('another tenant’s task is TASK_NOT_FOUND', async () => {
    const { moduleRef, repo } = await taskUnitModule(CancelTaskCommandHandler);
    const task = aTask();
    await repo.insertMany([task]);
    await expect(moduleRef.get(CancelTaskCommandHandler).execute(new CancelTaskCommand(OTHER_TENANT, task.id))).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(repo.stored(task.id)?.status).toBe('pending');
  });

  it('retries a failed task as a new attempt and wakes the workers; a pending one is TASK_NOT_FAILED', async () => {
    const { moduleRef, repo } = await taskUnitModule(RetryTaskCommandHandler);
    const failed = aTaskIn('failed');
    const pending = aTask();
    await repo.insertMany([failed, pending]);
    const wakeUps = repo.wakeUps;
    const handler = moduleRef.get(RetryTaskCommandHandler);
    expect(await handler.execute(new RetryTaskCommand(TASK_TENANT, failed.id))).toMatchObject({ status: 'pending', attempt: 2 });
    expect(repo.wakeUps).toBe(wakeUps + 1);
    await expect(handler.execute(new RetryTaskCommand(TASK_TENANT, pending.id))).rejects.toMatchObject({ code: 'TASK_NOT_FAILED' });
  });
});
