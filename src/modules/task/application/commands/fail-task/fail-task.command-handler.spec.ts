import { taskUnitModule } from '@cognition/test-support/fakes/in-memory-task-module';
import { AGENT, aTask, aTaskIn, OTHER_AGENT, TASK_TENANT } from '@cognition/test-support/mothers/task.mother';
import { FailTaskCommand } from '@cognition/task/contracts';
import { FailTaskCommandHandler } from './fail-task.command-handler';

const ERROR = { code: 'BUDGET_EXCEEDED', message: 'over budget' };

describe('FailTaskCommandHandler', () => {
  it('a final failure cancels the pending dependents transitively, in the same call', async () => {
    const { moduleRef, repo } = await taskUnitModule(FailTaskCommandHandler);
    const root = aTaskIn('in_progress');
    const child = aTask({ dependencies: [root.id] });
    const grandchild = aTask({ dependencies: [child.id] });
    const unrelated = aTask();
    await repo.insertMany([root, child, grandchild, unrelated]);
    repo.publishedEvents.length = 0;

    const view = await moduleRef.get(FailTaskCommandHandler).execute(new FailTaskCommand(TASK_TENANT, root.id, AGENT, ERROR, 'fail'));
    expect(view).toMatchObject({ status: 'failed', error: ERROR });
    expect(repo.stored(child.id)?.status).toBe('cancelled');
    expect(repo.stored(grandchild.id)?.status).toBe('cancelled');
    expect(repo.stored(unrelated.id)?.status).toBe('pending');
    expect(repo.publishedEvents.map((e) => [e.type, e.aggregateId, (e.payload as { reason?: string }).reason])).toEqual([
      ['TaskFailed', root.id, undefined],
      ['TaskCancelled', child.id, `dependency ${root.id} failed`],
      ['TaskCancelled', grandchild.id, `dependency ${child.id} cancelled`],
    ]);
  });

  it('a requeued failure leaves the dependents waiting', async () => {
    const { moduleRef, repo } = await taskUnitModule(FailTaskCommandHandler);
    const root = aTaskIn('in_progress');
    const child = aTask({ dependencies: [root.id] });
    await repo.insertMany([root, child]);
    const view = await moduleRef.get(FailTaskCommandHandler).execute(new FailTaskCommand(TASK_TENANT, root.id, AGENT, ERROR, 'requeue', { excludeAgent: true }));
    expect(view).toMatchObject({ status: 'pending', attempt: 2, excludedAgentIds: [AGENT] });
    expect(repo.stored(child.id)?.status).toBe('pending');
  });

  it('refuses an agent that does not hold the task (409) and an unknown task (404)', async () => {
    const { moduleRef, repo } = await taskUnitModule(FailTaskCommandHandler);
    const task = aTaskIn('in_progress');
    await repo.insertMany([task]);
    const handler = moduleRef.get(FailTaskCommandHandler);
    await expect(handler.execute(new FailTaskCommand(TASK_TENANT, task.id, OTHER_AGENT, ERROR, 'fail'))).rejects.toMatchObject({ code: 'TASK_INVALID_TRANSITION' });
    await expect(handler.execute(new FailTaskCommand(TASK_TENANT, 'nope', AGENT, ERROR, 'fail'))).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(repo.stored(task.id)?.status).toBe('in_progress');
  });
});
