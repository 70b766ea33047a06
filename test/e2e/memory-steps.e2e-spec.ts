import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('memory_store and memory_search steps in a workflow', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('memory_steps', { WORKER_POLL_MS: '100' });
    api = apiClient(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
  });

  const stepsOf = (execution: { steps: { stepId: string }[] }) => Object.fromEntries(execution.steps.map((s) => [s.stepId, s])) as Record<string, any>;

  it('stores memories, then finds them by search, passing ids and hits through templates', async () => {
    await activeWorkflow(api, {
      id: 'remember-and-recall',
      steps: [
        { id: 'remember', type: 'memory_store', params: { content: '${{ inputs.fact }}', namespace: 'wf.users.u1', importance: 'high', tags: ['from-workflow'], userId: 'u1' } },
        {
          id: 'remember_many',
          type: 'memory_store',
          params: { namespace: 'wf.users.u1', memoryType: 'preference', items: [{ content: 'The user prefers dark mode' }, { content: 'The user reads the news at 7am', importance: 'low' }] },
        },
        {
          id: 'recall',
          type: 'memory_search',
          dependsOn: ['remember', 'remember_many'],
          params: { query: '${{ inputs.question }}', k: 2, mode: 'text', filters: { namespace: 'wf.users', userId: 'u1' } },
        },
      ],
      outputs: { id: '${{ steps.remember.output.id }}', count: '${{ size(steps.remember_many.output.ids) }}', top: '${{ steps.recall.output.items[0].memory.id }}' },
    });
    const done = await waitForExecution(api, (await start(api, 'remember-and-recall', { fact: 'The user is allergic to peanuts', question: 'allergic to peanuts' })).body.id);
    expect({ status: done.status, error: done.error }).toEqual({ status: 'completed', error: null });
    const steps = stepsOf(done);
    const stored = steps.remember.output;
    expect(stored).toMatchObject({ id: expect.any(String), ids: [stored.id], memories: [{ content: 'The user is allergic to peanuts', namespace: 'wf.users.u1', importance: 'high', tags: ['from-workflow'], userId: 'u1' }] });
    expect(steps.remember_many.output.memories.map((m: { memoryType: string; importance: string }) => [m.memoryType, m.importance])).toEqual([
      ['preference', 'medium'],
      ['preference', 'low'],
    ]);
    expect(done.outputs).toEqual({ id: stored.id, count: 2, top: stored.id });
    expect(steps.recall.output.items[0]).toMatchObject({ memory: { id: stored.id, content: 'The user is allergic to peanuts' }, score: expect.any(Number) });

    const read = await api('GET', `/api/v3/memories/${stored.id}`);
    expect(read.body).toMatchObject({ content: 'The user is allergic to peanuts', namespace: 'wf.users.u1' });
  });

  it('refuses invalid params when the workflow is defined, with a JSON pointer per problem', async () => {
    const res = await api('POST', '/api/v3/workflows', {
      body: {
        id: 'bad-memory-params',
        version: '1.0.0',
        name: 'bad',
        steps: [
          { id: 'both', type: 'memory_store', params: { content: 'x', items: [{ content: 'y' }] } },
          { id: 'unknown', type: 'memory_search', params: { query: 'x', top: 3 } },
          { id: 'refused', type: 'memory_store', params: { content: 'x', namespace: 'not-valid' } },
          { id: 'bad_k', type: 'memory_search', params: { query: 'x', k: 1000 } },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/steps/0/params', '/steps/1/params/top', '/steps/2/params/namespace', '/steps/3/params/k']);
  });

  it('fails the step at once when templated params render to invalid values or a refused memory, whatever its retry policy', async () => {
    const retry = { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 100 };
    await activeWorkflow(api, {
      id: 'bad-memory-steps',
      steps: [
        { id: 'not_objects', type: 'memory_store', retry, params: { items: '${{ inputs.items }}' } },
        { id: 'refused', type: 'memory_store', retry, params: { content: 'x', namespace: '${{ inputs.namespace }}' } },
        { id: 'bad_k', type: 'memory_search', retry, params: { query: 'x', k: '${{ inputs.k }}' } },
      ],
    });
    const done = await waitForExecution(api, (await start(api, 'bad-memory-steps', { items: ['y'], namespace: 'not-valid', k: 1000 })).body.id);
    expect(done.status).toBe('failed');
    const steps = stepsOf(done);
    expect(steps.not_objects).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'INVALID_PARAMS' } });
    expect(steps.refused).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'VALIDATION_FAILED' } });
    expect(steps.bad_k).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'VALIDATION_FAILED' } });
    expect((await api('GET', '/api/v3/memories?namespace=not_valid')).body.items).toEqual([]);
  });
});
