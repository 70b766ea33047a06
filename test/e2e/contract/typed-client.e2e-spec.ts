import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../../support/test-app';
import { CAST, describeDiagnostics, generateTypes, loadProgram, typeCheck } from '../../support/typed-client';

/**
 * What a user does first (issue 11, "Done means"): generate types from the live `/docs-json` with
 * openapi-typescript (default flags) and drive the API through openapi-fetch. The program below
 * calls operations across the API with no casts; it must type-check under `strict`, the mistakes
 * marked `@ts-expect-error` must be type errors, and then it runs against the server.
 */

const PROGRAM = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api';

type Execution = components['schemas']['ExecutionResponseDto'];

export async function scenario(baseUrl: string, key: string): Promise<Record<string, unknown>> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + key } });

  const live = await client.GET('/health/live');
  const liveStatus: 'ok' | undefined = live.data?.status;

  const created = await client.POST('/api/v3/workflows', {
    body: { id: 'typed-client', version: '1.0.0', name: 'Typed client', status: 'active', steps: [{ id: 'greet', type: 'transform', params: { output: 'hello' } }] },
  });
  if (!created.data) throw new Error('create: ' + created.error?.code);

  const started = await client.POST('/api/v3/workflows/{id}/executions', {
    params: { path: { id: created.data.id }, header: { 'Idempotency-Key': 'typed-1' } },
    body: { inputs: { who: 'world' } },
  });
  if (!started.data) throw new Error('start: ' + started.error?.code);
  const again = await client.POST('/api/v3/workflows/{id}/executions', { params: { path: { id: created.data.id } }, body: {} });

  let execution: Execution = started.data;
  for (let i = 0; i < 400 && (execution.status === 'pending' || execution.status === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    const got = await client.GET('/api/v3/executions/{id}', { params: { path: { id: execution.id } } });
    if (!got.data) throw new Error('get: ' + got.error?.code);
    execution = got.data;
  }
  const steps = await client.GET('/api/v3/executions/{id}/steps', { params: { path: { id: execution.id }, query: { limit: 10 } } });
  const listed = await client.GET('/api/v3/executions', { params: { query: { workflowId: 'typed-client', status: 'completed' } } });
  const missing = await client.GET('/api/v3/workflows/{id}', { params: { path: { id: 'no-such-workflow' } } });

  const task = await client.POST('/api/v3/tasks', { body: { name: 'typed task', input: ['any', 'json', 1] } });
  const policy = await client.POST('/api/v3/memory-policies', { body: { name: 'typed', namespace: 'typed' } });
  const updated = policy.data
    ? await client.PUT('/api/v3/memory-policies/{id}', { params: { path: { id: policy.data.id } }, body: { name: 'typed', namespace: 'typed', maxMemories: 5 } })
    : undefined;
  const traces = await client.GET('/api/v3/traces', { params: { query: { entityId: execution.id } } });
  const metrics = await client.GET('/metrics', { parseAs: 'text' });

  return {
    liveStatus,
    workflowStatus: created.data.status,
    secondIsNew: again.data?.id !== execution.id,
    executionStatus: execution.status,
    outputs: execution.outputs,
    stepIds: steps.data?.items.map((s) => s.stepId),
    listedIds: listed.data?.items.map((e) => e.id),
    missingCode: missing.error?.code,
    missingStatus: missing.response.status,
    taskInput: task.data && 'input' in task.data ? task.data.input : undefined,
    policyMax: updated?.data?.maxMemories,
    traceCount: traces.data?.items.length,
    metricsIsText: typeof metrics.data === 'string',
  };
}

export async function mistakes(baseUrl: string): Promise<void> {
  const client = createClient<paths>({ baseUrl });
  // @ts-expect-error a workflow needs its steps
  await client.POST('/api/v3/workflows', { body: { id: 'x', version: '1.0.0', name: 'x' } });
  // @ts-expect-error not an execution status
  await client.GET('/api/v3/executions', { params: { query: { status: 'exploded' } } });
  // @ts-expect-error the path parameter is required
  await client.GET('/api/v3/executions/{id}', {});
  const got = await client.GET('/api/v3/executions/{id}', { params: { path: { id: 'x' } } });
  // @ts-expect-error a status is a string
  const n: number | undefined = got.data?.status;
  void n;
}
`;

describe('a client generated from /docs-json with openapi-typescript and openapi-fetch', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp('typed_client', { AGENT_WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false' });
    dir = mkdtempSync(join(tmpdir(), 'cos-typed-client-'));
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('type-checks a program that calls the API with no casts, and the program runs', async () => {
    await generateTypes(t.url, dir);
    const programFile = join(dir, 'program.ts');
    writeFileSync(programFile, PROGRAM);
    expect(PROGRAM).not.toMatch(CAST);
    expect(describeDiagnostics(typeCheck(programFile), dir)).toEqual([]);

    const program = loadProgram<{ scenario(baseUrl: string, key: string): Promise<Record<string, unknown>> }>(PROGRAM, programFile);
    const result = await program.scenario(t.url, t.key);
    expect(result).toEqual({
      liveStatus: 'ok',
      workflowStatus: 'active',
      secondIsNew: true,
      executionStatus: 'completed',
      outputs: { greet: 'hello' },
      stepIds: ['greet'],
      listedIds: expect.arrayContaining([expect.any(String)]),
      missingCode: 'WORKFLOW_NOT_FOUND',
      missingStatus: 404,
      taskInput: ['any', 'json', 1],
      policyMax: 5,
      traceCount: expect.any(Number),
      metricsIsText: true,
    });
  });

  it('fails the type check when the program misuses the API', () => {
    const file = join(dir, 'misuse.ts');
    writeFileSync(file, PROGRAM.replace(/\/\/ @ts-expect-error[^\n]*\n/g, ''));
    expect(typeCheck(file).filter((d) => d.file?.fileName === file)).toHaveLength(4);
  });
});
