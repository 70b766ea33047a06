import { DomainError } from '@cognition/platform/domain';
import { NonRetryableStepError, type StepContext } from '@cognition/engine/contracts';
import { CreateMemoriesCommand, SearchMemoriesQuery } from '../contracts';
import { MemorySearchStepType } from './memory-search.step-type';
import { MemoryStoreStepType } from './memory-store.step-type';

const context = (params: Record<string, unknown>): StepContext =>
  ({ tenantId: 't', executionId: 'e', stepExecutionId: 'se-1', workflowId: 'w', workflowVersion: '1.0.0', stepId: 's', itemIndex: null, attempt: 1, params, inputs: {}, signal: new AbortController().signal }) as StepContext;

function store(result: () => Promise<unknown> = async () => [{ id: 'm1' }, { id: 'm2' }]) {
  const sent: CreateMemoriesCommand[] = [];
  return { step: new MemoryStoreStepType({ execute: async (c: CreateMemoriesCommand) => (sent.push(c), result()) } as never), sent };
}

describe('memory_store', () => {
  it('stores one memory from content, the other params being its fields', async () => {
    const { step, sent } = store(async () => [{ id: 'm1' }]);
    expect(await step.execute(context({ content: 'hello', namespace: 'a.b', importance: 'high', tags: ['x'] }))).toEqual({ id: 'm1', ids: ['m1'], memories: [{ id: 'm1' }] });
    expect(sent[0]).toMatchObject({ tenantId: 't', idempotencyKey: 'memory_store:se-1', single: true, memories: [{ content: 'hello', namespace: 'a.b', importance: 'high', tags: ['x'] }] });
  });

  it('stores a batch from items, the top-level fields being their defaults', async () => {
    const { step, sent } = store();
    const out = await step.execute(context({ items: [{ content: 'a' }, { content: 'b', namespace: 'own' }], namespace: 'shared', memoryType: 'skill' }));
    expect(out.ids).toEqual(['m1', 'm2']);
    expect(sent[0].single).toBe(false);
    expect(sent[0].memories).toEqual([
      { content: 'a', namespace: 'shared', memoryType: 'skill' },
      { content: 'b', namespace: 'own', memoryType: 'skill' },
    ]);
  });

  it.each([
    [{}],
    [{ content: 'a', items: [] }],
    [{ items: [] }],
    [{ items: ['a'] }],
    [{ items: [{ content: 'a', colour: 1 }] }],
    [{ content: 3 }],
    [{ content: 'a', retention: 3 }],
    [{ items: [{ content: 'a' }], embedding: [1] }],
  ])('refuses invalid params %j with INVALID_PARAMS, sending nothing', async (params) => {
    const { step, sent } = store();
    await expect(step.execute(context(params))).rejects.toMatchObject({ code: 'INVALID_PARAMS', retryable: false });
    expect(sent).toEqual([]);
  });

  it('turns a refusal of the memory core into a non-retryable failure, and lets other errors be retried', async () => {
    const refused = store(async () => Promise.reject(new DomainError('VALIDATION_FAILED', 'bad namespace', [{ path: 'namespace', message: 'x' }])));
    const error = await refused.step.execute(context({ content: 'a' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableStepError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'namespace', message: 'x' }] });
    const outage = store(async () => Promise.reject(new DomainError('EMBEDDING_PROVIDER_ERROR', '503')));
    await expect(outage.step.execute(context({ content: 'a' }))).rejects.toMatchObject({ code: 'EMBEDDING_PROVIDER_ERROR' });
    await expect(outage.step.execute(context({ content: 'a' }))).rejects.not.toBeInstanceOf(NonRetryableStepError);
  });
});

describe('memory_search', () => {
  it('passes the params as the search request and outputs the hits', async () => {
    const sent: SearchMemoriesQuery[] = [];
    const step = new MemorySearchStepType({ execute: async (q: SearchMemoriesQuery) => (sent.push(q), { items: [{ score: 1 }], strategy: { vector: 'exact' } }) } as never);
    expect(await step.execute(context({ query: 'tea', k: 3, filters: { namespace: 'a' } }))).toEqual({ items: [{ score: 1 }] });
    expect(sent[0]).toMatchObject({ tenantId: 't', request: { query: 'tea', k: 3, filters: { namespace: 'a' } } });
  });

  it('refuses unknown params and a search without query or embedding', async () => {
    const step = new MemorySearchStepType({ execute: async () => ({ items: [] }) } as never);
    await expect(step.execute(context({ query: 'x', top: 3 }))).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(step.execute(context({ k: 3 }))).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });
});
