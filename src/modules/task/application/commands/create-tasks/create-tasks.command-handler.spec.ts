import { taskUnitModule } from '@cognition/test-support/fakes/in-memory-task-module';
import { aTaskIn, newTaskInput, OTHER_TENANT, TASK_TENANT } from '@cognition/test-support/mothers/task.mother';
import { CreateTaskCommand, CreateTasksCommand } from '@cognition/task/contracts';
import { CreateTaskCommandHandler } from '../create-task/create-task.command-handler';
import { CreateTasksCommandHandler } from './create-tasks.command-handler';

async function setup() {
  const unit = await taskUnitModule(CreateTaskCommandHandler, CreateTasksCommandHandler);
  return { ...unit, one: unit.moduleRef.get(CreateTaskCommandHandler), many: unit.moduleRef.get(CreateTasksCommandHandler) };
}

describe('CreateTask(s)CommandHandler', () => {
  it('stores one pending task, records TaskCreated and wakes the workers', async () => {
    const { one, repo } = await setup();
    const view = await one.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput()));
    expect(view).toMatchObject({ tenantId: TASK_TENANT, status: 'pending', attempt: 1, version: 1 });
    expect(repo.stored(view.id)?.status).toBe('pending');
    expect(repo.publishedEvents.map((e) => e.type)).toEqual(['TaskCreated']);
    expect(repo.wakeUps).toBe(1);
  });

  it('stores a batch in order with refs resolved to ids', async () => {
    const { many, repo } = await setup();
    const existing = aTaskIn('completed');
    await repo.insertMany([existing]);
    const views = await many.execute(
      new CreateTasksCommand(TASK_TENANT, [newTaskInput({ name: 'a', ref: 'a', dependencies: [existing.id] }), newTaskInput({ name: 'b', dependencies: ['a'] })]),
    );
    expect(views.map((v) => v.name)).toEqual(['a', 'b']);
    expect(views[0].dependencies).toEqual([existing.id]);
    expect(views[1].dependencies).toEqual([views[0].id]);
  });

  it('refuses a dependency on another tenant’s task and stores nothing', async () => {
    const { one, repo } = await setup();
    const foreign = aTaskIn('pending', { tenantId: OTHER_TENANT });
    await repo.insertMany([foreign]);
    await expect(one.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput({ dependencies: [foreign.id] })))).rejects.toMatchObject({
      code: 'TASK_INVALID_DEPENDENCIES',
      errors: [expect.objectContaining({ path: 'dependencies[0]', code: 'NOT_FOUND' })],
    });
    expect(repo.size).toBe(1);
  });

  it('an Idempotency-Key repeat with the same body answers the first task; another body is 409', async () => {
    const { one, many, repo } = await setup();
    const first = await one.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput({ priority: 'high', input: { a: 1, b: 2 } }), 'k1'));
    const again = await one.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput({ input: { b: 2, a: 1 }, priority: 'high' }), 'k1'));
    expect(again).toEqual(first);
    expect(repo.size).toBe(1);
    await expect(one.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput({ priority: 'low' }), 'k1'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(many.execute(new CreateTasksCommand(TASK_TENANT, [newTaskInput({ priority: 'high', input: { a: 1, b: 2 } })], 'k1'))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    // Keys are per tenant.
    const other = await one.execute(new CreateTaskCommand(OTHER_TENANT, newTaskInput(), 'k1'));
    expect(other.id).not.toBe(first.id);
    expect(repo.size).toBe(2);
  });
});
