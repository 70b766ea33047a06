import { CommandBus } from '@nestjs/cqrs';
import { AssignTaskCommand, FailTaskCommand, StartTaskCommand } from '@cognition/task/contracts';
import { newId } from '@cognition/platform/ids/uuid';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const T = '/api/v3/tasks';
const AGENT = '00000000-0000-7000-8000-00000000a9e1';

describe('tasks over HTTP', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let bus: CommandBus;

  beforeAll(async () => {
    // The agent worker would claim these tasks; this suite drives them itself.
    t = await startTestApp('tasks', { AGENT_WORKER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
    bus = t.app.get(CommandBus);
  });
  afterAll(() => t?.close());

  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  };

  /** Drives a task to failed for good, as an agent worker would. */
  const failTask = async (id: string) => {
    await bus.execute(new AssignTaskCommand(t.tenantId, id, AGENT));
    await bus.execute(new StartTaskCommand(t.tenantId, id, AGENT));
    await bus.execute(new FailTaskCommand(t.tenantId, id, AGENT, { code: 'MODEL_ERROR', message: 'no' }, 'fail'));
  };

  it('creates one task with the defaults and reads it back', async () => {
    const created = await api('POST', T, { body: { name: 'Summarize ticket 42', input: { ticket: 42 } } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Summarize ticket 42',
      description: null,
      priority: 'medium',
      requiredCapabilities: [],
      preferredRole: null,
      agentDefinitionId: null,
      dependencies: [],
      input: { ticket: 42 },
      outputSchema: null,
      output: null,
      error: null,
      status: 'pending',
      assignedAgentId: null,
      excludedAgentIds: [],
      attempt: 1,
      maxAttempts: 3,
      userId: null,
      sessionId: null,
      goalId: null,
      workflowExecutionId: null,
      stepExecutionId: null,
      startedAt: null,
      completedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      version: 1,
    });
    const read = await api('GET', `${T}/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('creates a batch in one go, its dependencies naming each other by ref', async () => {
    const existing = (await api('POST', T, { body: { name: 'existing' } })).body;
    const res = await api('POST', T, {
      body: {
        tasks: [
          { ref: 'fetch', name: 'fetch', priority: 'high', dependencies: [existing.id] },
          { ref: 'sum', name: 'summarize', requiredCapabilities: ['summarize'], dependencies: ['fetch'], outputSchema: { type: 'object', required: ['summary'] } },
          { name: 'review', dependencies: ['fetch', 'sum'], maxAttempts: 1 },
        ],
      },
    });
    expect(res.status).toBe(201);
    const [fetch, sum, review] = res.body.items;
    expect(res.body.items.map((x: { name: string }) => x.name)).toEqual(['fetch', 'summarize', 'review']);
    expect(fetch.dependencies).toEqual([existing.id]);
    expect(sum.dependencies).toEqual([fetch.id]);
    expect(review).toMatchObject({ dependencies: [fetch.id, sum.id], maxAttempts: 1, status: 'pending' });
  });

  it('lists newest first with filters and keyset pagination', async () => {
    const executionId = newId();
    const made: string[] = [];
    for (const priority of ['low', 'critical', 'low', 'low']) {
      made.push((await api('POST', T, { body: { name: `list-${priority}`, priority, workflowExecutionId: executionId } })).body.id);
    }
    await bus.execute(new AssignTaskCommand(t.tenantId, made[3], AGENT));

    const page1 = await api('GET', `${T}?workflowExecutionId=${executionId}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((x: { id: string }) => x.id)).toEqual([made[3], made[2]]);
    const page2 = await api('GET', `${T}?workflowExecutionId=${executionId}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((x: { id: string }) => x.id)).toEqual([made[1], made[0]]);
    expect(page2.body.nextCursor).toBeNull();

    const low = await api('GET', `${T}?workflowExecutionId=${executionId}&priority=low&status=pending`);
    expect(low.body.items.map((x: { id: string }) => x.id)).toEqual([made[2], made[0]]);
    const mine = await api('GET', `${T}?agentId=${AGENT}`);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([made[3]]);

    expectProblem(await api('GET', `${T}?status=sleeping`), 422, 'VALIDATION_FAILED');
    expectProblem(await api('GET', `${T}?agentId=not-a-uuid`), 422, 'VALIDATION_FAILED');
    expectProblem(await api('GET', `${T}?cursor=garbage`), 400, 'INVALID_CURSOR');
  });

  it('cancels a task (and its dependents); a second cancel is 409', async () => {
    const [a, b] = (await api('POST', T, { body: { tasks: [{ ref: 'a', name: 'a' }, { name: 'b', dependencies: ['a'] }] } })).body.items;
    const cancelled = await api('POST', `${T}/${a.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: a.id, status: 'cancelled', completedAt: expect.any(String) });
    expect((await api('GET', `${T}/${b.id}`)).body.status).toBe('cancelled');
    expectProblem(await api('POST', `${T}/${a.id}/cancel`), 409, 'TASK_ALREADY_FINISHED');
  });

  it('retries a failed task; retrying a task that did not fail is 409', async () => {
    const task = (await api('POST', T, { body: { name: 'to fail' } })).body;
    expectProblem(await api('POST', `${T}/${task.id}/retry`), 409, 'TASK_NOT_FAILED');
    await failTask(task.id);
    expect((await api('GET', `${T}/${task.id}`)).body).toMatchObject({ status: 'failed', error: { code: 'MODEL_ERROR' } });
    const retried = await api('POST', `${T}/${task.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempt: 2, assignedAgentId: null });
  });

  it('answers 422 listing every problem, and 400 for unknown fields or a body that is not an object', async () => {
    const invalid = await api('POST', T, { body: { name: '', priority: 'urgent', maxAttempts: 0, requiredCapabilities: ['a', 'a'], outputSchema: { type: 'nope' } } });
    expectProblem(invalid, 422, 'VALIDATION_FAILED');
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(['name', 'priority', 'requiredCapabilities[1]', 'outputSchema', 'maxAttempts']);

    const wrongType = await api('POST', T, { body: { name: 3, maxAttempts: 'three' } });
    expectProblem(wrongType, 422, 'VALIDATION_FAILED');
    expect(wrongType.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['name', 'maxAttempts']));

    const batchItem = await api('POST', T, { body: { tasks: [{ name: 'ok' }, { name: '', maxAttempts: 101 }] } });
    expectProblem(batchItem, 422, 'VALIDATION_FAILED');
    expect(batchItem.body.errors.map((e: { path: string }) => e.path)).toEqual(['tasks[1].name', 'tasks[1].maxAttempts']);
    expectProblem(await api('POST', T, { body: { tasks: [] } }), 422, 'VALIDATION_FAILED');

    const unknown = await api('POST', T, { body: { name: 'x', colour: 'red' } });
    expectProblem(unknown, 400, 'UNKNOWN_FIELD');
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'colour' })]);
    expectProblem(await api('POST', T, { body: { name: 'x', ref: 'only in a batch' } }), 400, 'UNKNOWN_FIELD');
    expectProblem(await api('POST', T, { body: { tasks: [{ name: 'x', colour: 'red' }] } }), 400, 'UNKNOWN_FIELD');
    expectProblem(await api('POST', T, { body: [{ name: 'x' }] }), 400, 'BAD_REQUEST');
    expectProblem(await api('POST', T, { rawBody: '{"name": ' }), 400, 'MALFORMED_JSON');
  });

  it('answers 422 for missing or malformed dependencies, naming them', async () => {
    const missing = newId();
    const res = await api('POST', T, { body: { name: 'x', dependencies: [missing, 'nope'] } });
    expectProblem(res, 422, 'TASK_INVALID_DEPENDENCIES');
    expect(res.body.detail).toContain(missing);
    expect(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      ['dependencies[0]', 'NOT_FOUND'],
      ['dependencies[1]', 'INVALID_FORMAT'],
    ]);
    const other = await t.newTenant('deps');
    const foreign = (await api('POST', T, { key: other.key, body: { name: 'theirs' } })).body;
    expectProblem(await api('POST', T, { body: { name: 'x', dependencies: [foreign.id] } }), 422, 'TASK_INVALID_DEPENDENCIES');
  });

  it('answers 422 TASK_DEPENDENCY_CYCLE for a cycle in a batch and for a self-dependency, creating nothing', async () => {
    const before = (await api('GET', `${T}?limit=200`)).body.items.length;
    const cycle = await api('POST', T, { body: { tasks: [{ ref: 'a', name: 'a', dependencies: ['b'] }, { ref: 'b', name: 'b', dependencies: ['a'] }] } });
    expectProblem(cycle, 422, 'TASK_DEPENDENCY_CYCLE');
    expect(cycle.body.errors).toEqual([expect.objectContaining({ code: 'DEPENDENCY_CYCLE', message: 'dependency cycle: a -> b -> a' })]);
    const self = await api('POST', T, { body: { tasks: [{ ref: 'me', name: 'me', dependencies: ['me'] }] } });
    expectProblem(self, 422, 'TASK_DEPENDENCY_CYCLE');
    expect(self.body.errors).toEqual([expect.objectContaining({ code: 'SELF_DEPENDENCY' })]);
    expect((await api('GET', `${T}?limit=200`)).body.items.length).toBe(before);
  });

  it('hides another tenant’s tasks (404 on every route) and answers 404 for a malformed id', async () => {
    const mine = (await api('POST', T, { body: { name: 'private' } })).body;
    const other = await t.newTenant('other');
    for (const [method, path] of [
      ['GET', `${T}/${mine.id}`],
      ['POST', `${T}/${mine.id}/cancel`],
      ['POST', `${T}/${mine.id}/retry`],
    ]) {
      expectProblem(await api(method, path, { key: other.key }), 404, 'TASK_NOT_FOUND');
    }
    expect((await api('GET', T, { key: other.key })).body.items).toEqual([]);
    expect((await api('GET', `${T}/${mine.id}`)).body.status).toBe('pending');
    for (const [method, path] of [
      ['GET', `${T}/not-a-uuid`],
      ['POST', `${T}/not-a-uuid/cancel`],
      ['POST', `${T}/not-a-uuid/retry`],
      ['GET', `${T}/${newId()}`],
    ]) {
      expectProblem(await api(method, path), 404, 'TASK_NOT_FOUND');
    }
    expectProblem(await api('GET', T, { key: null }), 401, 'UNAUTHORIZED');
  });

  it('honours Idempotency-Key: same body → the first task, another body → 409', async () => {
    const headers = { 'idempotency-key': `create-${newId()}` };
    const first = await api('POST', T, { headers, body: { name: 'once', input: { a: 1, b: [1, 2] } } });
    expect(first.status).toBe(201);
    const again = await api('POST', T, { headers, body: { input: { b: [1, 2], a: 1 }, name: 'once' } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expectProblem(await api('POST', T, { headers, body: { name: 'different' } }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await api('POST', T, { headers, body: { tasks: [{ name: 'once', input: { a: 1, b: [1, 2] } }] } }), 409, 'IDEMPOTENCY_KEY_REUSED');

    const batchHeaders = { 'idempotency-key': `batch-${newId()}` };
    const batch = await api('POST', T, { headers: batchHeaders, body: { tasks: [{ name: 'b1' }, { name: 'b2' }] } });
    expect((await api('POST', T, { headers: batchHeaders, body: { tasks: [{ name: 'b1' }, { name: 'b2' }] } })).body).toEqual(batch.body);
    expectProblem(await api('POST', T, { headers: { 'idempotency-key': '' }, body: { name: 'x' } }), 400, 'BAD_REQUEST');
  });
});
