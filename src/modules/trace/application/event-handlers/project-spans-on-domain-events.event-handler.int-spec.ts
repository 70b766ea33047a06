import { QueryBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import type { DomainEvent } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { OutboxRelay } from '@cognition/platform/outbox/outbox.relay';
import { AgentBudgetExceeded, AgentFailedTask, AgentModelCalled, AgentStartedReasoning, AgentToolExecuted, AgentToolFailed } from '@cognition/agent/contracts/agent.events';
import {
  StepExecutionCompleted,
  StepExecutionFailed,
  StepExecutionRetried,
  StepExecutionSkipped,
  StepExecutionStarted,
  WorkflowExecutionCompleted,
  WorkflowExecutionFailed,
  WorkflowExecutionStarted,
} from '@cognition/engine/contracts/execution.events';
import { TaskCompleted, TaskCreated, TaskFailed, TaskRequeued, TaskStarted } from '@cognition/task/contracts/task.events';
import { GetTraceQuery, ListTracesQuery, TraceNode, TraceTree } from '../../contracts';
import { ProjectSpansOnDomainEventsEventHandler } from './project-spans-on-domain-events.event-handler';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const usage = { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 };

/**
 * One agentic execution's events, in commit order: a transform step `prepare`, an agent_task step
 * `ask` (task → agent run → two model calls and two tool calls, then the run fails on its cost
 * budget) and a step `cleanup` skipped because `ask` failed. `at(s)` is s seconds after T0.
 * An inner array is one transaction.
 */
function agenticRun(tenantId: string) {
  const ex = newId();
  const [prepare, ask, cleanup] = [newId(), newId(), newId()];
  const task = newId();
  const run = newId();
  const wf = { executionId: ex, workflowId: 'research', workflowVersion: '1.0.0' };
  const step = (stepExecutionId: string, stepId: string, type: string) => ({ executionId: ex, stepExecutionId, stepId, itemIndex: null, type, attempt: 1 });
  const tk = { taskId: task, name: 'answer the question', attempt: 1, workflowExecutionId: ex, stepExecutionId: ask };
  const rn = { agentId: 'agent-1', taskId: task, runId: run };
  const at = (s: number) => new Date(T0 + s * 1000);
  const iso = (s: number) => at(s).toISOString();
  const commits: (DomainEvent<any> | DomainEvent<any>[])[] = [
    new WorkflowExecutionStarted(tenantId, ex, { ...wf, triggeredBy: 'api', parentExecutionId: null }, at(0)),
    new StepExecutionStarted(tenantId, ex, step(prepare, 'prepare', 'transform'), at(1)),
    new StepExecutionCompleted(tenantId, ex, { ...step(prepare, 'prepare', 'transform'), output: { q: 'why?' } }, at(2)),
    new StepExecutionStarted(tenantId, ex, step(ask, 'ask', 'agent_task'), at(3)),
    new TaskCreated(tenantId, task, { ...tk, priority: 'high', requiredCapabilities: ['research'], dependencies: [], input: { q: 'why?' } }, at(3)),
    new TaskStarted(tenantId, task, { ...tk, agentId: 'agent-1' }, at(4)),
    new AgentStartedReasoning(tenantId, 'agent-1', { ...rn, iteration: 1, model: 'gpt-x', provider: 'openai' }, at(4)),
    new AgentModelCalled(tenantId, 'agent-1', { ...rn, callId: newId(), provider: 'openai', model: 'gpt-x', tokensIn: 100, tokensOut: 20, costUsd: 0.1, startedAt: iso(4), durationMs: 1500, finishReason: 'tool_calls' }, at(6)),
    new AgentToolExecuted(tenantId, 'agent-1', { ...rn, callId: newId(), tool: 'http_fetch', arguments: { url: 'https://x' }, result: { status: 200 }, startedAt: iso(6), durationMs: 500 }, at(7)),
    new AgentToolFailed(tenantId, 'agent-1', { ...rn, callId: newId(), tool: 'delete_all', arguments: {}, error: { code: 'PERMISSION_DENIED', message: 'needs destructive' }, startedAt: iso(7), durationMs: 0 }, at(7)),
    new AgentStartedReasoning(tenantId, 'agent-1', { ...rn, iteration: 2, model: 'gpt-x', provider: 'openai' }, at(8)),
    new AgentModelCalled(tenantId, 'agent-1', { ...rn, callId: newId(), provider: 'openai', model: 'gpt-x', tokensIn: 200, tokensOut: 30, costUsd: 0.2, startedAt: iso(8), durationMs: 1000, finishReason: 'stop' }, at(9)),
    new AgentBudgetExceeded(tenantId, 'agent-1', { agentId: 'agent-1', taskId: task, runId: run, limit: 'cost', refused: { tokens: 0, costUsd: 0.5, timeSeconds: 0, toolExecutions: 0 }, usage }, at(9)),
    new AgentFailedTask(tenantId, 'agent-1', { ...rn, durationMs: 6000, error: { code: 'BUDGET_EXCEEDED', message: 'cost' }, strategy: 'abort' }, at(10)),
    new TaskFailed(tenantId, task, { ...tk, agentId: 'agent-1', error: { code: 'BUDGET_EXCEEDED', message: 'cost' }, willRetry: false }, at(10)),
    [
      new StepExecutionFailed(tenantId, ex, { ...step(ask, 'ask', 'agent_task'), error: { code: 'BUDGET_EXCEEDED', message: 'cost' } }, at(11)),
      new StepExecutionSkipped(tenantId, ex, { ...step(cleanup, 'cleanup', 'transform'), attempt: 0, reason: 'UPSTREAM_FAILED' }, at(11)),
      new WorkflowExecutionFailed(tenantId, ex, { ...wf, error: { code: 'BUDGET_EXCEEDED', stepId: 'ask' } }, at(11)),
    ],
  ];
  return { ex, commits, task, run, at };
}

/** The tree without the generated ids, to compare trees projected from different event orders. */
function shape(node: TraceNode): unknown {
  const { id: _id, parentId: _parentId, entityId: _entityId, children, ...rest } = node;
  return { ...rest, children: children.map(shape) };
}

describe('trace span projection (real PostgreSQL)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let handler: ProjectSpansOnDomainEventsEventHandler;
  let queries: QueryBus;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('trace_projection');
    testEnv(db);
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { TraceModule } = await import('../../trace.module');
    // No relay: the test delivers the events itself, in the orders it chooses.
    moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), TraceModule] })
      .overrideProvider(OutboxRelay)
      .useValue({ onApplicationBootstrap: async () => undefined, onApplicationShutdown: async () => undefined, wake: async () => undefined })
      .compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    handler = moduleRef.get(ProjectSpansOnDomainEventsEventHandler);
    queries = moduleRef.get(QueryBus);
    ds = moduleRef.get(DataSource);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  /**
   * Commits the events to the outbox as the modules would (an inner array is one transaction) and
   * gives each the metadata the relay sets; returns them in commit order.
   */
  const store = async (commits: (DomainEvent<any> | DomainEvent<any>[])[]): Promise<DomainEvent<any>[]> => {
    const out: DomainEvent<any>[] = [];
    for (const commit of commits) {
      const events = Array.isArray(commit) ? commit : [commit];
      await ds.transaction(async (m) => {
        for (const e of events) {
          const id = newId();
          const [row] = await m.query(
            `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING position, tx_id::text AS tx_id`,
            [id, e.tenantId, e.type, e.aggregateType, e.aggregateId, JSON.stringify(e.payload), e.occurredAt],
          );
          e.metadata = { id, position: String(row.position), txId: row.tx_id, correlationId: null };
          out.push(e);
        }
      });
    }
    return out;
  };
  const feed = async (events: DomainEvent<any>[]) => {
    for (const e of events) await handler.handle(e);
  };
  const spanId = async (tenantId: string, type: string, entityId: string): Promise<string> => {
    const page = await queries.execute(new ListTracesQuery(tenantId, { type: type as never, entityId }, 10));
    expect(page.items).toHaveLength(1);
    return page.items[0].id;
  };
  const tree = async (tenantId: string, type: string, entityId: string): Promise<TraceTree> => queries.execute(new GetTraceQuery(tenantId, await spanId(tenantId, type, entityId)));

  it('builds the whole tree from events in commit order, with durations, metadata and totals', async () => {
    const tenant = newId();
    const { ex, commits } = agenticRun(tenant);
    await feed(await store(commits));
    const root = await tree(tenant, 'workflow', ex);
    expect(root).toMatchObject({ type: 'workflow', entityId: ex, name: 'research@1.0.0', status: 'failed', parentId: null, durationMs: 11_000 });
    expect(root.error).toEqual({ code: 'BUDGET_EXCEEDED', stepId: 'ask' });
    expect(root.children.map((c) => [c.name, c.status, c.durationMs])).toEqual([
      ['prepare', 'completed', 1000],
      ['ask', 'failed', 8000],
      ['cleanup', 'cancelled', null],
    ]);
    expect(root.children[0].outputs).toEqual({ q: 'why?' });
    expect(root.children[2].error).toEqual({ reason: 'UPSTREAM_FAILED' });
    const [task] = root.children[1].children;
    expect(task).toMatchObject({ type: 'task', name: 'answer the question', status: 'failed', inputs: { q: 'why?' }, durationMs: 6000, metadata: { priority: 'high', agentId: 'agent-1' } });
    const [run] = task.children;
    expect(run).toMatchObject({
      type: 'agent_action',
      name: 'agent agent-1',
      status: 'failed',
      error: { code: 'BUDGET_EXCEEDED', message: 'cost' },
      durationMs: 6000,
      metadata: { agentId: 'agent-1', model: 'gpt-x', provider: 'openai', iteration: 2, budgetExceeded: true, budgetLimit: 'cost', strategy: 'abort' },
    });
    expect(run.children.map((c) => [c.type, c.name, c.status, c.durationMs])).toEqual([
      ['model_call', 'openai/gpt-x', 'completed', 1500],
      ['tool_call', 'http_fetch', 'completed', 500],
      ['tool_call', 'delete_all', 'failed', 0],
      ['model_call', 'openai/gpt-x', 'completed', 1000],
    ]);
    expect(run.children[0].metadata).toMatchObject({ tokensIn: 100, tokensOut: 20, costUsd: 0.1, finishReason: 'tool_calls' });
    expect(run.children[1]).toMatchObject({ inputs: { url: 'https://x' }, outputs: { status: 200 } });
    expect(run.children[2].error).toEqual({ code: 'PERMISSION_DENIED', message: 'needs destructive' });
    expect(root.totals).toEqual({ tokensIn: 300, tokensOut: 50, costUsd: 0.3, modelCalls: 2, toolCalls: 2, durationMs: 11_000 });
    // A subtree has its own totals.
    const runTree = await queries.execute(new GetTraceQuery(tenant, run.id));
    expect(runTree.totals).toEqual({ tokensIn: 300, tokensOut: 50, costUsd: 0.3, modelCalls: 2, toolCalls: 2, durationMs: 6000 });
    expect(runTree.children).toHaveLength(4);
  });

  it('builds the same tree whatever the order: reversed (children before parents), shuffled, with duplicates', async () => {
    const inOrder = newId();
    const reversed = newId();
    const shuffled = newId();
    const a = agenticRun(inOrder);
    await feed(await store(a.commits));
    const expected = shape(await tree(inOrder, 'workflow', a.ex));

    const b = agenticRun(reversed);
    await feed((await store(b.commits)).reverse());
    expect(shape(await tree(reversed, 'workflow', b.ex))).toEqual(expected);

    const c = agenticRun(shuffled);
    const cEvents = await store(c.commits);
    // Deterministic shuffle, then every event delivered again (a replay from an old checkpoint) and a few thrice.
    const order = cEvents.map((e, i) => ({ e, k: (i * 7919) % 17 })).sort((x, y) => x.k - y.k).map((x) => x.e);
    await feed([...order, ...cEvents, ...order.slice(0, 5)]);
    expect(shape(await tree(shuffled, 'workflow', c.ex))).toEqual(expected);

    // Nothing left dangling: every span of the reversed run is under the workflow span.
    const items = (await queries.execute(new ListTracesQuery(reversed, {}, 200))).items;
    const root = await spanId(reversed, 'workflow', b.ex);
    expect(items).toHaveLength(10);
    expect(items.every((s) => s.rootId === root)).toBe(true);
  });

  it('handleBatch (one round trip for a run of events) builds the same trees as one event at a time, whatever the order and the strings', async () => {
    const single = newId();
    const batched = newId();
    const a = agenticRun(single);
    await feed(await store(a.commits));
    const expected = shape(await tree(single, 'workflow', a.ex));

    const b = agenticRun(batched);
    const events = await store(b.commits);
    // Children before parents, and every event twice: the same span written several times in one batch.
    await handler.handleBatch([...events].reverse().concat(events));
    expect(shape(await tree(batched, 'workflow', b.ex))).toEqual(expected);

    // Quotes, backslashes, dollar signs, unicode and SQL-looking text survive as data.
    const odd = newId();
    const c = agenticRun(odd);
    const hostile = `it's a \\ $1 $$ '); DROP TABLE trace_spans; -- \u00e9\u{1F600}`;
    const started = c.commits[1] as StepExecutionStarted;
    const completed = c.commits[2] as StepExecutionCompleted;
    (completed.payload as { output: unknown }).output = { q: hostile, nested: { "k'ey": [hostile] } };
    await handler.handleBatch(await store([c.commits[0], started, completed]));
    const root = await tree(odd, 'workflow', c.ex);
    expect(root.children[0].outputs).toEqual({ q: hostile, nested: { "k'ey": [hostile] } });
  });

  it('a batch that fails changes nothing (all or none)', async () => {
    const tenant = newId();
    const { ex, commits } = agenticRun(tenant);
    const events = await store(commits);
    // A span type the table refuses makes one write of the batch fail.
    const broken = Object.assign(Object.create(Object.getPrototypeOf(events[1])), events[1], { tenantId: 'not-a-uuid' });
    await expect(handler.handleBatch([events[0], broken, events[2]])).rejects.toThrow();
    expect((await queries.execute(new ListTracesQuery(tenant, { type: 'workflow' as never, entityId: ex }, 10))).items).toHaveLength(0);
  });

  it('replaying an old event changes nothing: a completed span is not moved back to running', async () => {
    const tenant = newId();
    const { ex, commits } = agenticRun(tenant);
    const events = await store(commits);
    await feed(events);
    const before = await ds.query(`SELECT * FROM trace_spans WHERE tenant_id = $1 ORDER BY id`, [tenant]);
    await feed(events);
    await feed([events[1], events[0], events[5]]);
    const after = await ds.query(`SELECT * FROM trace_spans WHERE tenant_id = $1 ORDER BY id`, [tenant]);
    const stable = (rows: Record<string, unknown>[]) => rows.map(({ updated_at: _u, ...r }) => r);
    expect(stable(after)).toEqual(stable(before));
    expect((await tree(tenant, 'workflow', ex)).children[0].status).toBe('completed');
  });

  it('follows a retry of a failed execution and a requeued task; their old events replayed do not undo them', async () => {
    const tenant = newId();
    const ex = newId();
    const se = newId();
    const task = newId();
    const at = (s: number) => new Date(T0 + s * 1000);
    const wf = { executionId: ex, workflowId: 'flaky', workflowVersion: '2.0.0' };
    const st = { executionId: ex, stepExecutionId: se, stepId: 'call', itemIndex: null, type: 'http_request', attempt: 1 };
    const tk = { taskId: task, name: 'standalone', attempt: 1, workflowExecutionId: null, stepExecutionId: null };
    const events = await store([
      new WorkflowExecutionStarted(tenant, ex, { ...wf, triggeredBy: 'api', parentExecutionId: null }, at(0)),
      new StepExecutionStarted(tenant, ex, st, at(0)),
      new StepExecutionRetried(tenant, ex, { ...st, error: { code: 'HTTP_STATUS' }, retryAt: at(2).toISOString() }, at(1)),
      new StepExecutionStarted(tenant, ex, { ...st, attempt: 2 }, at(2)),
      new StepExecutionFailed(tenant, ex, { ...st, attempt: 2, error: { code: 'HTTP_STATUS' } }, at(3)),
      new WorkflowExecutionFailed(tenant, ex, { ...wf, error: { code: 'HTTP_STATUS' } }, at(3)),
      new WorkflowExecutionStarted(tenant, ex, { ...wf, triggeredBy: 'api', parentExecutionId: null, retry: true }, at(10)),
      new StepExecutionStarted(tenant, ex, { ...st, attempt: 1 }, at(10)),
      new StepExecutionCompleted(tenant, ex, { ...st, attempt: 1, output: 'ok' }, at(12)),
      new WorkflowExecutionCompleted(tenant, ex, { ...wf, outputs: { call: 'ok' } }, at(12)),
      new TaskCreated(tenant, task, { ...tk, priority: 'low', requiredCapabilities: [], dependencies: [], input: null }, at(0)),
      new TaskStarted(tenant, task, { ...tk, agentId: 'a' }, at(1)),
      // One transaction: the outbox position orders them.
      [
        new TaskFailed(tenant, task, { ...tk, agentId: 'a', error: { code: 'X', message: 'x' }, willRetry: true }, at(2)),
        new TaskRequeued(tenant, task, { ...tk, attempt: 2, reason: 'retry' }, at(2)),
      ],
    ]);
    await feed(events.slice(0, 7));
    const retried = await tree(tenant, 'workflow', ex);
    expect(retried).toMatchObject({ status: 'running', error: null, completedAt: null, metadata: { retried: true } });
    await feed(events.slice(7));
    await feed([events[5], events[4], events[12]]);
    const done = await tree(tenant, 'workflow', ex);
    expect(done).toMatchObject({ status: 'completed', outputs: { call: 'ok' }, error: null, durationMs: 12_000 });
    expect(done.children[0]).toMatchObject({ status: 'completed', outputs: 'ok', error: null, durationMs: 12_000, metadata: { attempt: 1 } });
    const standalone = await tree(tenant, 'task', task);
    expect(standalone).toMatchObject({ parentId: null, status: 'pending', completedAt: null, metadata: { attempt: 2, requeueReason: 'retry' } });
    await feed(await store([new TaskStarted(tenant, task, { ...tk, attempt: 2, agentId: 'b' }, at(5)), new TaskCompleted(tenant, task, { ...tk, attempt: 2, agentId: 'b', output: 42, durationMs: 1000 }, at(6))]));
    expect(await tree(tenant, 'task', task)).toMatchObject({ status: 'completed', outputs: 42, durationMs: 5000, metadata: { agentId: 'b', attempt: 2 } });
  });

  it('hangs a sub-workflow under its parent, creating the parent as a pending placeholder until it is seen', async () => {
    const tenant = newId();
    const [parent, child] = [newId(), newId()];
    const at = (s: number) => new Date(T0 + s * 1000);
    const [parentStarted, childStarted] = await store([
      new WorkflowExecutionStarted(tenant, parent, { executionId: parent, workflowId: 'parent', workflowVersion: '3.1.4', triggeredBy: 'api', parentExecutionId: null }, at(0)),
      new WorkflowExecutionStarted(tenant, child, { executionId: child, workflowId: 'child', workflowVersion: '1.0.0', triggeredBy: 'parent', parentExecutionId: parent }, at(1)),
    ]);
    await feed([childStarted]);
    const placeholder = await tree(tenant, 'workflow', parent);
    expect(placeholder).toMatchObject({ status: 'pending', startedAt: null, name: parent });
    expect(placeholder.children.map((c) => c.name)).toEqual(['child@1.0.0']);
    await feed([parentStarted]);
    expect(await tree(tenant, 'workflow', parent)).toMatchObject({ name: 'parent@3.1.4', status: 'running', children: [expect.objectContaining({ name: 'child@1.0.0', status: 'running' })] });
  });

  it('keeps tenants apart, answers 404 for a missing or malformed id, and pages the list', async () => {
    const tenant = newId();
    const { ex, commits } = agenticRun(tenant);
    await feed(await store(commits));
    const id = await spanId(tenant, 'workflow', ex);
    await expect(queries.execute(new GetTraceQuery(newId(), id))).rejects.toMatchObject({ code: 'TRACE_NOT_FOUND' });
    await expect(queries.execute(new GetTraceQuery(tenant, 'not-a-uuid'))).rejects.toMatchObject({ code: 'TRACE_NOT_FOUND' });
    expect((await queries.execute(new ListTracesQuery(newId(), { entityId: ex }, 10))).items).toEqual([]);

    const calls = await queries.execute(new ListTracesQuery(tenant, { type: 'model_call' }, 1));
    expect(calls.items).toHaveLength(1);
    expect(calls.items[0].rootId).toBe(id);
    const next = await queries.execute(new ListTracesQuery(tenant, { type: 'model_call' }, 1, calls.nextCursor!));
    expect(next.items).toHaveLength(1);
    expect(next.items[0].id < calls.items[0].id).toBe(true);
    expect(next.nextCursor).toBeNull();
    const all = await queries.execute(new ListTracesQuery(tenant, {}, 200));
    expect(all.items.map((s) => s.type).sort()).toEqual(['agent_action', 'model_call', 'model_call', 'step', 'step', 'step', 'task', 'tool_call', 'tool_call', 'workflow']);
    await expect(queries.execute(new ListTracesQuery(tenant, {}, 10, Buffer.from('{"id":"x"}').toString('base64url')))).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
