import { CommandBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AGENT, newTaskInput, OTHER_AGENT, TASK_TENANT } from '@cognition/test-support/mothers/task.mother';
import { createTestDatabase, TEST_DB, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import type { DomainEvent } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { WorkflowExecutionCancelled } from '@cognition/engine/contracts';
import {
  AssignTaskCommand,
  ClaimAssignableTasksCommand,
  CompleteTaskCommand,
  CreateTaskCommand,
  CreateTasksCommand,
  FailTaskCommand,
  NewTask,
  StartTaskCommand,
  TASKS_CHANNEL,
  TaskView,
} from '../contracts';
import { TaskRepository } from '../domain/task.repository.port';
import { TaskMapper } from './task.mapper';

const ERROR = { code: 'MODEL_ERROR', message: 'the model said no' };

describe('tasks in PostgreSQL (repository, claim, commands)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let bus: CommandBus;
  let tx: Tx;
  let ds: DataSource;
  let repo: TaskRepository;

  beforeAll(async () => {
    db = await createTestDatabase('task_repo');
    testEnv(db);
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { TaskModule } = await import('../task.module');
    moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), TaskModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    bus = moduleRef.get(CommandBus);
    tx = moduleRef.get(TransactionHost) as unknown as Tx;
    ds = moduleRef.get(DataSource);
    repo = moduleRef.get(TaskRepository);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });
  beforeEach(() => ds.query(`TRUNCATE tasks, task_idempotency_keys`));

  const create = (task: Partial<NewTask> = {}) => bus.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput(task)));
  const claim = (limit: number) => tx.withTransaction(() => bus.execute(new ClaimAssignableTasksCommand(limit)));
  const eventsOf = async (id: string) =>
    (await ds.query(`SELECT type, payload FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [id])) as { type: string; payload: Record<string, unknown> }[];
  const statusOf = async (id: string) => (await repo.findById(TASK_TENANT, id))?.status;
  const runToInProgress = async (id: string, agent = AGENT) => {
    await bus.execute(new AssignTaskCommand(TASK_TENANT, id, agent));
    return bus.execute(new StartTaskCommand(TASK_TENANT, id, agent));
  };

  it('round-trips every field and writes TaskCreated in the same transaction; a rollback writes neither', async () => {
    const created = await create({
      description: 'd',
      priority: 'high',
      requiredCapabilities: ['summarize'],
      preferredRole: 'critic',
      agentDefinitionId: newId(),
      input: 'just a string',
      outputSchema: { type: 'object' },
      maxAttempts: 5,
      userId: 'u',
      sessionId: 's',
      goalId: 'g',
      workflowExecutionId: newId(),
      stepExecutionId: newId(),
    });
    const loaded = (await repo.findById(TASK_TENANT, created.id))!;
    expect(loaded.toView()).toEqual(created);
    expect(TaskMapper.toSnapshot(TaskMapper.toRow(loaded))).toEqual(loaded.toSnapshot());
    expect((await eventsOf(created.id)).map((e) => e.type)).toEqual(['TaskCreated']);

    await expect(
      tx.withTransaction(async () => {
        await bus.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput({ name: 'rolled back', dependencies: [created.id] })));
        throw new Error('later failure');
      }),
    ).rejects.toThrow('later failure');
    expect(await ds.query(`SELECT id FROM tasks WHERE name = 'rolled back'`)).toEqual([]);
    expect(await ds.query(`SELECT id FROM domain_events WHERE payload->>'name' = 'rolled back'`)).toEqual([]);
  });

  it('claims by priority, then age, across tenants', async () => {
    const lowOld = await create({ name: 'low-old', priority: 'low' });
    const highOld = await create({ name: 'high-old', priority: 'high' });
    const medium = await create({ name: 'medium', priority: 'medium' });
    const highNew = await bus.execute(new CreateTaskCommand('00000000-0000-7000-8000-0000000000c3', newTaskInput({ name: 'high-new', priority: 'high' })));
    const critical = await create({ name: 'critical', priority: 'critical' });
    const claimed = await claim(10);
    expect(claimed.map((t) => t.name)).toEqual(['critical', 'high-old', 'high-new', 'medium', 'low-old']);
    expect(claimed.map((t) => t.id)).toEqual([critical.id, highOld.id, highNew.id, medium.id, lowOld.id]);
    expect((await claim(2)).map((t) => t.name)).toEqual(['critical', 'high-old']);
  });

  it('does not claim a dependent before its dependency completes, and claims it after', async () => {
    const [first, second] = await bus.execute(
      new CreateTasksCommand(TASK_TENANT, [newTaskInput({ name: 'first', ref: 'first', priority: 'low' }), newTaskInput({ name: 'second', priority: 'critical', dependencies: ['first'] })]),
    );
    expect((await claim(10)).map((t) => t.id)).toEqual([first.id]);
    await runToInProgress(first.id);
    expect(await claim(10)).toEqual([]);
    await bus.execute(new CompleteTaskCommand(TASK_TENANT, first.id, AGENT, { ok: true }));
    expect((await claim(10)).map((t) => t.id)).toEqual([second.id]);
  });

  it('joins the caller’s transaction: two open claims on separate connections get disjoint tasks (SKIP LOCKED)', async () => {
    const made = await bus.execute(new CreateTasksCommand(TASK_TENANT, [1, 2, 3, 4, 5].map((n) => newTaskInput({ name: `t${n}` }))));
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstClaimed!: (views: TaskView[]) => void;
    const firstResult = new Promise<TaskView[]>((resolve) => (firstClaimed = resolve));

    const first = tx.withTransaction(async () => {
      const views = await bus.execute(new ClaimAssignableTasksCommand(2));
      firstClaimed(views);
      await firstHolds;
      // Still the same transaction: assign one of them before committing.
      await bus.execute(new AssignTaskCommand(TASK_TENANT, views[0].id, AGENT));
      return views;
    });
    const a = await firstResult;
    // While the first transaction holds its rows, a second one gets the next ones without waiting.
    const b = await tx.withTransaction(() => bus.execute(new ClaimAssignableTasksCommand(2)));
    releaseFirst();
    await first;

    expect(a.map((t) => t.name)).toEqual(['t1', 't2']);
    expect(b.map((t) => t.name)).toEqual(['t3', 't4']);
    expect(await statusOf(made[0].id)).toBe('assigned');
    // Locks end with the transaction: the unassigned one is claimable again.
    expect((await claim(10)).map((t) => t.name)).toEqual(['t2', 't3', 't4', 't5']);
  });

  it('fails with each disposition and records the events', async () => {
    const requeued = await create({ name: 'requeue', maxAttempts: 2 });
    await runToInProgress(requeued.id);
    const afterRequeue = await bus.execute(new FailTaskCommand(TASK_TENANT, requeued.id, AGENT, ERROR, 'requeue', { excludeAgent: true, reason: 'escalated' }));
    expect(afterRequeue).toMatchObject({ status: 'pending', attempt: 2, excludedAgentIds: [AGENT], assignedAgentId: null, error: ERROR });
    await runToInProgress(requeued.id, OTHER_AGENT);
    expect(await bus.execute(new FailTaskCommand(TASK_TENANT, requeued.id, OTHER_AGENT, ERROR, 'requeue'))).toMatchObject({ status: 'failed', attempt: 2 });
    expect((await eventsOf(requeued.id)).map((e) => [e.type, e.payload.attempt, e.payload.willRetry ?? e.payload.reason ?? null])).toEqual([
      ['TaskCreated', 1, null],
      ['TaskAssigned', 1, null],
      ['TaskStarted', 1, null],
      ['TaskFailed', 1, true],
      ['TaskRequeued', 2, 'escalated'],
      ['TaskAssigned', 2, null],
      ['TaskStarted', 2, null],
      ['TaskFailed', 2, false],
    ]);

    const reassigned = await create({ name: 'reassign' });
    await runToInProgress(reassigned.id);
    expect(await bus.execute(new FailTaskCommand(TASK_TENANT, reassigned.id, AGENT, ERROR, 'reassign'))).toMatchObject({ status: 'assigned', assignedAgentId: AGENT, attempt: 2 });
    expect(await claim(10)).toEqual([]);

    const failed = await create({ name: 'fail' });
    await runToInProgress(failed.id);
    const wrongAgent = bus.execute(new FailTaskCommand(TASK_TENANT, failed.id, OTHER_AGENT, ERROR, 'fail'));
    await expect(wrongAgent).rejects.toMatchObject({ code: 'TASK_INVALID_TRANSITION' });
    expect(await bus.execute(new FailTaskCommand(TASK_TENANT, failed.id, null, ERROR, 'fail'))).toMatchObject({ status: 'failed', completedAt: expect.any(String) });
  });

  it('cancels the pending dependents of a failed task transitively, in the same transaction', async () => {
    const [root, child, grandchild, sibling] = await bus.execute(
      new CreateTasksCommand(TASK_TENANT, [
        newTaskInput({ name: 'root', ref: 'root', maxAttempts: 1 }),
        newTaskInput({ name: 'child', ref: 'child', dependencies: ['root'] }),
        newTaskInput({ name: 'grandchild', dependencies: ['child'] }),
        newTaskInput({ name: 'sibling' }),
      ]),
    );
    await runToInProgress(root.id);
    await bus.execute(new FailTaskCommand(TASK_TENANT, root.id, AGENT, ERROR, 'requeue'));
    expect(await statusOf(root.id)).toBe('failed');
    expect(await statusOf(child.id)).toBe('cancelled');
    expect(await statusOf(grandchild.id)).toBe('cancelled');
    expect(await statusOf(sibling.id)).toBe('pending');
    expect((await eventsOf(grandchild.id)).at(-1)).toMatchObject({ type: 'TaskCancelled', payload: { reason: `dependency ${child.id} cancelled` } });
    const txIds = await ds.query(`SELECT DISTINCT tx_id FROM domain_events WHERE aggregate_id = ANY($1) AND type IN ('TaskFailed', 'TaskCancelled')`, [[root.id, child.id, grandchild.id]]);
    expect(txIds).toHaveLength(1);

    // A new task cannot wait on a task that will never complete.
    await expect(create({ dependencies: [child.id] })).rejects.toMatchObject({ code: 'TASK_INVALID_DEPENDENCIES' });
  });

  it('creates once per Idempotency-Key, even for concurrent requests', async () => {
    const body = newTaskInput({ name: 'once' });
    const [a, b] = await Promise.all([bus.execute(new CreateTaskCommand(TASK_TENANT, body, 'key-1')), bus.execute(new CreateTaskCommand(TASK_TENANT, body, 'key-1'))]);
    expect(b.id).toBe(a.id);
    expect(await bus.execute(new CreateTaskCommand(TASK_TENANT, body, 'key-1'))).toEqual(a);
    await expect(bus.execute(new CreateTaskCommand(TASK_TENANT, { ...body, name: 'other' }, 'key-1'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await ds.query(`SELECT count(*)::int AS n FROM tasks`)).toEqual([{ n: 1 }]);

    // A failed request keeps no key: the same key then works.
    await expect(bus.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput({ dependencies: [newId()] }), 'key-2'))).rejects.toMatchObject({ code: 'TASK_INVALID_DEPENDENCIES' });
    expect(await bus.execute(new CreateTaskCommand(TASK_TENANT, newTaskInput(), 'key-2'))).toMatchObject({ status: 'pending' });
  });

  it('refuses a stale write (optimistic concurrency)', async () => {
    const { id } = await create();
    const first = (await repo.findById(TASK_TENANT, id))!;
    const second = (await repo.findById(TASK_TENANT, id))!;
    first.assign(AGENT);
    await tx.withTransaction(() => repo.update(first));
    second.cancel('late');
    await expect(tx.withTransaction(() => repo.update(second))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    expect(await statusOf(id)).toBe('assigned');
  });

  it('notifies idle workers when a task becomes pending', async () => {
    const client = new Client({ ...TEST_DB, database: db.name });
    await client.connect();
    try {
      let notified = 0;
      client.on('notification', (n) => n.channel === TASKS_CHANNEL && notified++);
      await client.query(`LISTEN ${TASKS_CHANNEL}`);
      await create();
      const until = Date.now() + 5000;
      while (notified === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(notified).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('cancels a workflow execution’s unfinished tasks when the relay delivers WorkflowExecutionCancelled', async () => {
    const executionId = newId();
    const running = await create({ name: 'running', workflowExecutionId: executionId });
    await runToInProgress(running.id);
    const waiting = await create({ name: 'waiting', workflowExecutionId: executionId });
    const other = await create({ name: 'other', workflowExecutionId: newId() });
    const outbox = moduleRef.get(OutboxWriter);
    await tx.withTransaction(() => outbox.append([new WorkflowExecutionCancelled(TASK_TENANT, executionId, { executionId, workflowId: 'wf', workflowVersion: '1.0.0' }) as unknown as DomainEvent]));

    const until = Date.now() + 10_000;
    while ((await statusOf(waiting.id)) !== 'cancelled' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await statusOf(running.id)).toBe('cancelled');
    expect(await statusOf(waiting.id)).toBe('cancelled');
    expect(await statusOf(other.id)).toBe('pending');
    expect((await eventsOf(running.id)).at(-1)).toMatchObject({ type: 'TaskCancelled', payload: { reason: 'workflow execution cancelled' } });
  });
});
