import { CommandBus } from '@nestjs/cqrs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignTaskCommand, FailTaskCommand, StartTaskCommand } from '@cognition/task/contracts';
import { ContractValidator } from '../../support/contract-validator';
import { adminRows } from '../../support/test-database';
import { startTestApp, TestApp } from '../../support/test-app';
import { CAST, describeDiagnostics, generateTypes, loadProgram, operationsOf, typeCheck } from '../../support/typed-client';

/**
 * Issue 11, "Done means": a client generated with openapi-typescript (default flags) from the live
 * `/docs-json` drives EVERY operation with no casts, and every response validates against the
 * document. The program below calls each operation of the document at least once through
 * openapi-fetch, with valid inputs, and must type-check under `strict` with no cast. A middleware
 * records what each call answered; the test then checks that
 *  - every operation of the document was called (a new operation fails this test until the program calls it),
 *  - every operation got a success status (2xx),
 *  - every response conforms to the document (status, media type, JSON body by Ajv), and the first
 *    Server-Sent Event of the execution stream conforms to its envelope schema.
 */

const PROGRAM = `
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api';

type Execution = components['schemas']['ExecutionResponseDto'];

export interface Hooks {
  /** Records each response (the test validates them against the document). */
  recorder: Middleware;
  /** Drives a task to failed the way an agent worker would (no operation of the API fails a task). */
  failTask(id: string): Promise<void>;
  /** Two dead letters of the tenant's events (rows the relay writes when a subscriber keeps failing). */
  deadLetters(): Promise<string[]>;
}

/** The data of a successful answer, or an error naming the call. */
function need<T = never>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) throw new Error(what + ' answered ' + result.response.status + ': ' + JSON.stringify(result.error));
  return result.data;
}

function succeeded(what: string, result: { error?: unknown; response: Response }): void {
  if (!result.response.ok) throw new Error(what + ' answered ' + result.response.status + ': ' + JSON.stringify(result.error));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function scenario(baseUrl: string, key: string, hooks: Hooks): Promise<Record<string, unknown>> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + key } });
  client.use(hooks.recorder);

  async function settled(id: string, statuses: readonly string[]): Promise<Execution> {
    for (let i = 0; i < 400; i++) {
      const execution = need('getExecution', await client.GET('/api/v3/executions/{id}', { params: { path: { id } } }));
      if (statuses.includes(execution.status)) return execution;
      await pause(50);
    }
    throw new Error('execution ' + id + ' did not reach ' + statuses.join('/'));
  }

  // Health and metrics (public).
  const live = need('checkLiveness', await client.GET('/health/live'));
  const ready = need('checkReadiness', await client.GET('/health/ready'));
  const metrics = need('getMetrics', await client.GET('/metrics', { parseAs: 'text' }));

  // Workflows: one active, one draft taken through its lifecycle, one draft deleted.
  const workflow = need('createWorkflow', await client.POST('/api/v3/workflows', {
    body: { id: 'all-ops', version: '1.0.0', name: 'All operations', status: 'active', tags: ['typed'], steps: [{ id: 'greet', type: 'transform', params: { output: 'hello \${{ inputs.who }}' } }], outputs: { greeting: '\${{ steps.greet.output }}' } },
  }));
  const workflows = need('listWorkflows', await client.GET('/api/v3/workflows', { params: { query: { tag: 'typed', status: 'active', limit: 10 } } }));
  need('getWorkflow', await client.GET('/api/v3/workflows/{id}', { params: { path: { id: workflow.id } } }));
  const versions = need('listWorkflowVersions', await client.GET('/api/v3/workflows/{id}/versions', { params: { path: { id: workflow.id }, query: { limit: 10 } } }));
  need('getWorkflowVersion', await client.GET('/api/v3/workflows/{id}/versions/{version}', { params: { path: { id: workflow.id, version: '1.0.0' } } }));

  const draft = { path: { id: 'all-ops-draft', version: '1.0.0' } };
  need('createWorkflow (draft)', await client.POST('/api/v3/workflows', { body: { id: 'all-ops-draft', version: '1.0.0', name: 'Draft', steps: [{ id: 'wait', type: 'delay', params: { seconds: 1 } }] } }));
  const edited = need('updateWorkflowVersion', await client.PUT('/api/v3/workflows/{id}/versions/{version}', {
    params: draft,
    body: { name: 'Draft, edited', steps: [{ id: 'a', type: 'transform', params: { output: 1 } }, { id: 'b', type: 'transform', dependsOn: ['a'], params: { output: [1, 'two', null] } }] },
  }));
  const analysis = need('analyzeWorkflowVersion', await client.GET('/api/v3/workflows/{id}/versions/{version}/analysis', { params: draft }));
  const activated = need('activateWorkflowVersion', await client.POST('/api/v3/workflows/{id}/versions/{version}/activate', { params: draft }));
  const deprecated = need('deprecateWorkflowVersion', await client.POST('/api/v3/workflows/{id}/versions/{version}/deprecate', { params: draft }));
  const archived = need('archiveWorkflowVersion', await client.POST('/api/v3/workflows/{id}/versions/{version}/archive', { params: draft }));
  need('createWorkflow (doomed)', await client.POST('/api/v3/workflows', { body: { id: 'all-ops-doomed', version: '0.1.0', name: 'Doomed', steps: [{ id: 'x', type: 'transform', params: {} }] } }));
  succeeded('deleteWorkflowVersion', await client.DELETE('/api/v3/workflows/{id}/versions/{version}', { params: { path: { id: 'all-ops-doomed', version: '0.1.0' } } }));

  // Executions: one completes; one waits for a signal; one is cancelled; one fails and is retried.
  const started = need('startExecution', await client.POST('/api/v3/workflows/{id}/executions', {
    params: { path: { id: workflow.id }, header: { 'Idempotency-Key': 'all-ops-1' } },
    body: { version: '1.0.0', inputs: { who: 'world' } },
  }));
  const completed = await settled(started.id, ['completed', 'failed', 'cancelled']);
  const executions = need('listExecutions', await client.GET('/api/v3/executions', { params: { query: { workflowId: workflow.id, status: 'completed', limit: 5 } } }));
  const steps = need('listExecutionSteps', await client.GET('/api/v3/executions/{id}/steps', { params: { path: { id: completed.id }, query: { limit: 10 } } }));

  // The stream replays the execution's events from the start; read the first one and hang up.
  const stream = await client.GET('/api/v3/executions/{id}/events', { params: { path: { id: completed.id } }, parseAs: 'stream' });
  const body = need('streamExecutionEvents', stream);
  if (!body) throw new Error('streamExecutionEvents answered no stream');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let firstEvent = '';
  while (!firstEvent) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
    const blocks = text.split('\\n\\n');
    firstEvent = blocks.slice(0, -1).find((block) => /^data:/m.test(block)) ?? '';
  }
  await reader.cancel();
  const eventStreamType = stream.response.headers.get('content-type');

  need('createWorkflow (gated)', await client.POST('/api/v3/workflows', {
    body: { id: 'all-ops-gated', version: '1.0.0', name: 'Gated', status: 'active', steps: [{ id: 'gate', type: 'wait_for_signal', params: { signal: 'approved' } }, { id: 'after', type: 'transform', dependsOn: ['gate'], params: { output: '\${{ steps.gate.output }}' } }] },
  }));
  const gated = need('startExecution (gated)', await client.POST('/api/v3/workflows/{id}/executions', { params: { path: { id: 'all-ops-gated' } }, body: {} }));
  const signal = need('sendExecutionSignal', await client.POST('/api/v3/executions/{id}/signals/{name}', { params: { path: { id: gated.id, name: 'approved' } }, body: { by: 'ada', ok: true } }));
  const signalled = await settled(gated.id, ['completed', 'failed', 'cancelled']);

  const toCancel = need('startExecution (to cancel)', await client.POST('/api/v3/workflows/{id}/executions', { params: { path: { id: 'all-ops-gated' } }, body: {} }));
  const cancelled = need('cancelExecution', await client.POST('/api/v3/executions/{id}/cancel', { params: { path: { id: toCancel.id } } }));

  // Port 1 of the loopback refuses connections: the step fails at once (its retry policy defaults to one attempt).
  need('createWorkflow (failing)', await client.POST('/api/v3/workflows', {
    body: { id: 'all-ops-failing', version: '1.0.0', name: 'Failing', status: 'active', steps: [{ id: 'call', type: 'http_request', params: { url: 'http://127.0.0.1:1/nothing', timeoutMs: 2000 } }] },
  }));
  const failing = need('startExecution (failing)', await client.POST('/api/v3/workflows/{id}/executions', { params: { path: { id: 'all-ops-failing' } }, body: {} }));
  const failed = await settled(failing.id, ['completed', 'failed', 'cancelled']);
  const retried = need('retryExecution', await client.POST('/api/v3/executions/{id}/retry', { params: { path: { id: failed.id } } }));

  // Traces arrive through the outbox relay: poll for the completed execution's.
  let traceId = '';
  for (let i = 0; i < 200 && !traceId; i++) {
    const traces = need('listTraces', await client.GET('/api/v3/traces', { params: { query: { entityId: completed.id, type: 'workflow', limit: 5 } } }));
    traceId = traces.items[0]?.id ?? '';
    if (!traceId) await pause(100);
  }
  const trace = need('getTrace', await client.GET('/api/v3/traces/{id}', { params: { path: { id: traceId } } }));

  // The event store: events, durable subscribers, a replay, dead letters.
  const events = need('listEvents', await client.GET('/api/v3/events', { params: { query: { aggregateId: completed.id, after: '0', limit: 50 } } }));
  const subscriptions = need('listSubscriptions', await client.GET('/api/v3/subscriptions'));
  const replay = need('replaySubscription', await client.POST('/api/v3/subscriptions/{name}/replay', { params: { path: { name: 'trace-spans' } }, body: { aggregateId: completed.id } }));
  const replayRead = need('getReplay', await client.GET('/api/v3/subscriptions/{name}/replays/{id}', { params: { path: { name: 'trace-spans', id: replay.id } } }));
  const [toRetry, toDiscard] = await hooks.deadLetters();
  const deadLetters = need('listDeadLetters', await client.GET('/api/v3/dead-letters', { params: { query: { subscriber: 'trace-spans', status: 'dead', limit: 10 } } }));
  const retriedDeadLetter = need('retryDeadLetter', await client.POST('/api/v3/dead-letters/{id}/retry', { params: { path: { id: toRetry } } }));
  succeeded('discardDeadLetter', await client.DELETE('/api/v3/dead-letters/{id}', { params: { path: { id: toDiscard } } }));

  // Tasks: one read, one cancelled, one failed then retried.
  const task = need('createTasks', await client.POST('/api/v3/tasks', { params: { header: { 'Idempotency-Key': 'all-ops-task' } }, body: { name: 'All operations', input: ['any', 'json', 1], priority: 'high', requiredCapabilities: ['summarize'] } }));
  if (!('id' in task)) throw new Error('createTasks answered a batch for one task');
  const tasks = need('listTasks', await client.GET('/api/v3/tasks', { params: { query: { status: 'pending', priority: 'high', limit: 10 } } }));
  need('getTask', await client.GET('/api/v3/tasks/{id}', { params: { path: { id: task.id } } }));
  const cancelledTask = need('cancelTask', await client.POST('/api/v3/tasks/{id}/cancel', { params: { path: { id: task.id } } }));
  const batch = need('createTasks (batch)', await client.POST('/api/v3/tasks', { body: { tasks: [{ name: 'To fail', maxAttempts: 1 }] } }));
  const toFail = 'items' in batch ? batch.items[0] : undefined;
  if (!toFail) throw new Error('createTasks answered one task for a batch');
  await hooks.failTask(toFail.id);
  const retriedTask = need('retryTask', await client.POST('/api/v3/tasks/{id}/retry', { params: { path: { id: toFail.id } } }));

  // Agent definitions and agents (the agent worker is off: nothing runs them).
  const definition = need('registerAgentDefinition', await client.POST('/api/v3/agent-definitions', {
    body: { name: 'all-ops-agent', role: 'executor', description: 'Calls every operation', capabilities: ['summarize'], defaultBudget: { maxTokens: 1000 }, permissions: ['http'] },
  }));
  const definitions = need('listAgentDefinitions', await client.GET('/api/v3/agent-definitions', { params: { query: { role: 'executor', limit: 10 } } }));
  need('getAgentDefinition', await client.GET('/api/v3/agent-definitions/{id}', { params: { path: { id: definition.id } } }));
  const updatedDefinition = need('updateAgentDefinition', await client.PUT('/api/v3/agent-definitions/{id}', {
    params: { path: { id: definition.id }, header: { 'If-Match': '"1"' } },
    body: { role: 'executor', description: null, capabilities: ['summarize', 'classify'] },
  }));
  const agent = need('instantiateAgent', await client.POST('/api/v3/agents', { body: { definitionId: definition.id, budget: { maxCostUsd: 0.5 }, permissions: ['math'] } }));
  const agents = need('listAgents', await client.GET('/api/v3/agents', { params: { query: { definitionId: definition.id, limit: 10 } } }));
  need('getAgent', await client.GET('/api/v3/agents/{id}', { params: { path: { id: agent.id } } }));
  const granted = need('grantAgentPermissions', await client.POST('/api/v3/agents/{id}/permissions', { params: { path: { id: agent.id } }, body: { permissions: ['destructive'] } }));
  const revoked = need('revokeAgentPermission', await client.DELETE('/api/v3/agents/{id}/permissions/{permission}', { params: { path: { id: agent.id, permission: 'destructive' } } }));
  need('resetAgentBudget', await client.POST('/api/v3/agents/{id}/budget/reset', { params: { path: { id: agent.id } }, body: { maxTokens: 4000, maxToolExecutions: 3 } }));
  const usage = need('getAgentUsage', await client.GET('/api/v3/agents/{id}/usage', { params: { path: { id: agent.id }, query: { limit: 10 } } }));
  const terminated = need('terminateAgent', await client.POST('/api/v3/agents/{id}/terminate', { params: { path: { id: agent.id } }, body: { reason: 'done' } }));
  succeeded('deleteAgentDefinition', await client.DELETE('/api/v3/agent-definitions/{id}', { params: { path: { id: definition.id } } }));

  // Memories, collections, policies.
  const created = need('createMemories', await client.POST('/api/v3/memories', {
    params: { header: { 'Idempotency-Key': 'all-ops-memory' } },
    body: { content: 'The customer prefers email over phone', namespace: 'typed.ops', memoryType: 'preference', importance: 'medium', tags: ['contact'], metadata: { source: 'typed' } },
  }));
  if (!('id' in created)) throw new Error('createMemories answered a batch for one memory');
  const memoryId = created.id;
  const memories = need('listMemories', await client.GET('/api/v3/memories', { params: { query: { namespace: 'typed.ops', tag: ['contact'], limit: 10 } } }));
  need('getMemory', await client.GET('/api/v3/memories/{id}', { params: { path: { id: memoryId }, query: { includeEmbedding: 'false' } } }));
  const patched = need('updateMemory', await client.PATCH('/api/v3/memories/{id}', {
    params: { path: { id: memoryId }, header: { 'If-Match': '"1"' } },
    body: { content: 'The customer prefers email, never phone', importance: 'high', tags: ['contact', 'email'] },
  }));
  const revisions = need('listMemoryRevisions', await client.GET('/api/v3/memories/{id}/revisions', { params: { path: { id: memoryId } } }));
  const hits = need('searchMemories', await client.POST('/api/v3/memories/search', { body: { query: 'how to contact the customer', k: 5, filters: { namespace: 'typed.ops' }, mode: 'hybrid', rerank: true } }));

  const collection = need('createMemoryCollection', await client.POST('/api/v3/memory-collections', { body: { name: 'all-ops', description: 'Every operation' } }));
  const collections = need('listMemoryCollections', await client.GET('/api/v3/memory-collections', { params: { query: { limit: 10 } } }));
  need('getMemoryCollection', await client.GET('/api/v3/memory-collections/{id}', { params: { path: { id: collection.id } } }));
  const membership = { path: { id: collection.id, memoryId } };
  need('addCollectionMemory', await client.PUT('/api/v3/memory-collections/{id}/memories/{memoryId}', { params: membership }));
  const members = need('listCollectionMemories', await client.GET('/api/v3/memory-collections/{id}/memories', { params: { path: { id: collection.id }, query: { limit: 10 } } }));
  succeeded('removeCollectionMemory', await client.DELETE('/api/v3/memory-collections/{id}/memories/{memoryId}', { params: membership }));
  succeeded('deleteMemoryCollection', await client.DELETE('/api/v3/memory-collections/{id}', { params: { path: { id: collection.id } } }));

  const policy = need('createMemoryPolicy', await client.POST('/api/v3/memory-policies', { body: { name: 'all-ops', namespace: 'typed.ops', archiveAfterDays: 30, maxMemories: null } }));
  const policies = need('listMemoryPolicies', await client.GET('/api/v3/memory-policies', { params: { query: { limit: 10 } } }));
  need('getMemoryPolicy', await client.GET('/api/v3/memory-policies/{id}', { params: { path: { id: policy.id } } }));
  const replaced = need('updateMemoryPolicy', await client.PUT('/api/v3/memory-policies/{id}', {
    params: { path: { id: policy.id }, header: { 'If-Match': '"1"' } },
    body: { name: 'all-ops', namespace: 'typed.ops', maxMemories: 5, importanceThreshold: 'critical', enabled: false },
  }));
  need('applyMemoryPolicy', await client.POST('/api/v3/memory-policies/{id}/apply', { params: { path: { id: policy.id }, query: { dryRun: 'true' } } }));
  succeeded('deleteMemoryPolicy', await client.DELETE('/api/v3/memory-policies/{id}', { params: { path: { id: policy.id } } }));
  succeeded('deleteMemory', await client.DELETE('/api/v3/memories/{id}', { params: { path: { id: memoryId } } }));

  return {
    live: live.status,
    ready: ready.status,
    metricsIsText: typeof metrics === 'string',
    workflowIds: workflows.items.map((w) => w.id),
    versions: versions.items.map((v) => v.version),
    editedName: edited.name,
    analysed: typeof analysis === 'object',
    lifecycle: [activated.status, deprecated.status, archived.status],
    executionStatus: completed.status,
    outputs: completed.outputs,
    listedExecutions: executions.items.map((e) => e.id),
    stepIds: steps.items.map((s) => s.stepId),
    eventStreamType,
    firstEvent,
    signalDelivered: typeof signal.delivered,
    signalledStatus: signalled.status,
    cancelledStatus: cancelled.status,
    failedStatus: failed.status,
    retriedStatus: retried.status,
    traceEntity: trace.entityId,
    eventTypes: events.items.map((e) => e.type),
    subscriberNames: subscriptions.items.map((x) => x.name),
    replaySubscriber: [replay.subscriber, replayRead.id === replay.id],
    deadLetterIds: deadLetters.items.map((d) => d.id).sort(),
    retriedDeadLetter: [retriedDeadLetter.outcome, retriedDeadLetter.deadLetter.status],
    deadLettersMade: [toRetry, toDiscard].sort(),
    taskInput: 'input' in task ? task.input : undefined,
    listedTasks: tasks.items.map((t) => t.id),
    cancelledTaskStatus: cancelledTask.status,
    retriedTask: [retriedTask.status, retriedTask.attempt],
    definitionIds: definitions.items.map((d) => d.id),
    definitionCapabilities: updatedDefinition.capabilities,
    agentIds: agents.items.map((a) => a.id),
    permissions: [granted.grantedPermissions, revoked.grantedPermissions],
    usageIsObject: typeof usage === 'object',
    terminatedStatus: terminated.status,
    memoryIds: memories.items.map((m) => m.id),
    patchedImportance: patched.importance,
    revisionCount: revisions.items.length,
    hitIds: hits.items.map((h) => h.memory.id),
    collectionIds: collections.items.map((c) => c.id),
    memberIds: members.items.map((m) => m.id),
    policyIds: policies.items.map((p) => p.id),
    policyMax: replaced.maxMemories,
  };
}
`;

interface Recorded {
  /** `METHOD /path/template`, as the document names the operation. */
  operation: string;
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\b/;

/** An openapi-fetch middleware that records every response (and its body, read from a clone). */
function recorder(calls: Recorded[]) {
  return {
    async onResponse({ request, response, schemaPath }: { request: Request; response: Response; schemaPath: string }): Promise<undefined> {
      const contentType = response.headers.get('content-type');
      let body: unknown = null;
      // The event stream is read by the program; its events are checked from what it read.
      if (response.status !== 204 && !contentType?.startsWith('text/event-stream')) {
        const text = await response.clone().text();
        body = text === '' ? null : contentType && JSON_MEDIA.test(contentType) ? JSON.parse(text) : text;
      }
      const url = new URL(request.url);
      calls.push({ operation: `${request.method} ${schemaPath}`, method: request.method, path: url.pathname + url.search, status: response.status, contentType, body });
      return undefined;
    },
  };
}

describe('a client generated from /docs-json calls every operation of the document', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp('typed_client_all', {
      // Nothing runs agents here: the agent worker would claim the program's tasks.
      AGENT_WORKER_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      MODEL_PROVIDER: 'echo',
      WORKER_POLL_MS: '100',
      HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
    });
    dir = mkdtempSync(join(tmpdir(), 'cos-typed-client-all-'));
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('type-checks with no casts, calls every operation with a success status, and every response conforms', async () => {
    const document = await generateTypes(t.url, dir);
    const programFile = join(dir, 'all-operations.ts');
    writeFileSync(programFile, PROGRAM);
    expect(PROGRAM).not.toMatch(CAST);
    expect(describeDiagnostics(typeCheck(programFile), dir)).toEqual([]);

    const calls: Recorded[] = [];
    const bus = t.app.get(CommandBus);
    const agentId = '00000000-0000-7000-8000-00000000a11a';
    const failTask = async (id: string) => {
      await bus.execute(new AssignTaskCommand(t.tenantId, id, agentId));
      await bus.execute(new StartTaskCommand(t.tenantId, id, agentId));
      await bus.execute(new FailTaskCommand(t.tenantId, id, agentId, { code: 'MODEL_ERROR', message: 'no' }, 'fail'));
    };
    const deadLetters = async () =>
      (
        await adminRows<{ id: string }>(
          `INSERT INTO dead_letters (id, subscriber, event_id, position, tenant_id, type, error, attempts)
           SELECT gen_random_uuid(), 'trace-spans', id, position, tenant_id, type, '{"message": "boom"}', 5
           FROM domain_events WHERE tenant_id = $1 AND type = 'WorkflowExecutionStarted' ORDER BY position LIMIT 2 RETURNING id`,
          [t.tenantId],
          t.db.name,
        )
      ).map((r) => r.id);
    const program = loadProgram<{ scenario(baseUrl: string, key: string, hooks: unknown): Promise<Record<string, unknown>> }>(PROGRAM, programFile);
    const result = await program.scenario(t.url, t.key, { recorder: recorder(calls), failTask, deadLetters });

    // Coverage: every operation of the document, and nothing outside it.
    const operations = operationsOf(document);
    const called = new Set(calls.map((c) => c.operation));
    expect(operations.filter((o) => !called.has(o))).toEqual([]);
    expect([...called].filter((o) => !operations.includes(o))).toEqual([]);

    // Each operation succeeded at least once.
    const succeeded = new Set(calls.filter((c) => c.status >= 200 && c.status < 300).map((c) => c.operation));
    expect(operations.filter((o) => !succeeded.has(o))).toEqual([]);

    // Every response conforms to the document.
    const validator = new ContractValidator(document);
    expect(calls.flatMap((c) => validator.check(c))).toEqual([]);
    // (The check is live: a property the document does not declare is refused.)
    const workflowRead = calls.find((c) => c.operation === 'GET /api/v3/workflows/{id}')!;
    expect(validator.check({ ...workflowRead, body: { ...Object(workflowRead.body), undeclared: true } })).not.toEqual([]);
    expect(calls.find((c) => c.operation === 'GET /api/v3/executions/{id}/events')?.contentType).toMatch(/^text\/event-stream/);
    const dataLine = String(result.firstEvent).split('\n').find((l) => l.startsWith('data:'));
    expect(dataLine).toBeDefined();
    expect(validator.checkSchema('ExecutionEventEnvelopeResponseDto', JSON.parse(dataLine!.slice(5)))).toEqual([]);

    expect(result).toMatchObject({
      live: 'ok',
      metricsIsText: true,
      workflowIds: ['all-ops'],
      versions: ['1.0.0'],
      editedName: 'Draft, edited',
      lifecycle: ['active', 'deprecated', 'archived'],
      executionStatus: 'completed',
      outputs: { greeting: 'hello world' },
      stepIds: ['greet'],
      signalDelivered: 'boolean',
      signalledStatus: 'completed',
      cancelledStatus: 'cancelled',
      failedStatus: 'failed',
      retriedStatus: 'running',
      taskInput: ['any', 'json', 1],
      cancelledTaskStatus: 'cancelled',
      retriedTask: ['pending', 2],
      definitionCapabilities: ['summarize', 'classify'],
      permissions: [expect.arrayContaining(['math', 'destructive']), expect.not.arrayContaining(['destructive'])],
      terminatedStatus: 'terminated',
      patchedImportance: 'high',
      policyMax: 5,
    });
    expect(result).toMatchObject({
      eventTypes: expect.arrayContaining(['WorkflowExecutionStarted', 'WorkflowExecutionCompleted']),
      subscriberNames: expect.arrayContaining(['trace-spans']),
      replaySubscriber: ['trace-spans', true],
      retriedDeadLetter: ['delivered', 'retried'],
    });
    expect(result.deadLetterIds).toEqual(result.deadLettersMade);
    expect(result.revisionCount).toBeGreaterThanOrEqual(1);
    expect(result.hitIds).toEqual(result.memoryIds);
    expect(result.memberIds).toEqual(result.memoryIds);
  });
});
