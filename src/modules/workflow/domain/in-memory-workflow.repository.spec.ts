import { InMemoryWorkflowRepository } from '@cognition/test-support/fakes/in-memory-workflow.repository';
import { DomainError } from '@cognition/platform/domain';
import { WorkflowActivated, WorkflowCreated } from '../contracts';
import { StaticStepTypeRegistry } from './step-type-registry';
import { Workflow } from './workflow.aggregate';

const stepTypes = new StaticStepTypeRegistry();

function make(workflowId: string, version: string, tenantId = 't1', tags: string[] = []): Workflow {
  return Workflow.create(
    { tenantId, workflowId, version, name: `${workflowId} flow`, tags, steps: [{ id: 'a', type: 'transform' }] },
    stepTypes,
  );
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** The fake must behave like the port promises, or handler tests built on it prove nothing. */
describe('InMemoryWorkflowRepository (WorkflowRepository contract)', () => {
  it('inserts with revision 1, publishes the events, refuses a duplicate version', async () => {
    const repo = new InMemoryWorkflowRepository();
    const workflow = make('wf', '1.0.0');
    await repo.insert(workflow);
    expect(workflow.revision).toBe(1);
    expect(repo.publishedEvents.map((e) => e.constructor)).toEqual([WorkflowCreated]);
    expect((await rejection(repo.insert(make('wf', '1.0.0')))).code).toBe('WORKFLOW_VERSION_EXISTS');
  });

  it('updates optimistically and refuses a stale copy', async () => {
    const repo = new InMemoryWorkflowRepository();
    await repo.insert(make('wf', '1.0.0'));
    const first = (await repo.findVersion('t1', 'wf', '1.0.0')) as Workflow;
    const second = (await repo.findVersion('t1', 'wf', '1.0.0')) as Workflow;
    first.activate();
    await repo.update(first);
    expect(first.revision).toBe(2);
    expect(repo.publishedEvents.at(-1)).toBeInstanceOf(WorkflowActivated);
    second.archive();
    expect((await rejection(repo.update(second))).code).toBe('CONCURRENT_MODIFICATION');
    expect((await repo.findVersion('t1', 'wf', '1.0.0'))?.status).toBe('active');
  });

  it('lists versions in semver order', async () => {
    const repo = new InMemoryWorkflowRepository();
    for (const version of ['1.2.0', '1.10.0', '1.9.0']) await repo.insert(make('wf', version));
    expect((await repo.listVersions('t1', 'wf')).map((w) => w.version)).toEqual(['1.2.0', '1.9.0', '1.10.0']);
  });

  it('keeps tenants apart and lists with filters and a keyset cursor', async () => {
    const repo = new InMemoryWorkflowRepository();
    await repo.insert(make('b', '1.0.0', 't1', ['x']));
    await repo.insert(make('a', '2.0.0', 't1'));
    await repo.insert(make('a', '10.0.0', 't1', ['x']));
    await repo.insert(make('a', '1.0.0', 't2'));
    expect(await repo.findVersion('t2', 'b', '1.0.0')).toBeNull();
    const page = await repo.list('t1', { limit: 2 });
    expect(page.map((w) => w.aggregateId)).toEqual(['a@2.0.0', 'a@10.0.0']);
    const next = await repo.list('t1', { limit: 2, after: { workflowId: 'a', version: '10.0.0' } });
    expect(next.map((w) => w.aggregateId)).toEqual(['b@1.0.0']);
    expect((await repo.list('t1', { limit: 10, tag: 'x' })).map((w) => w.aggregateId)).toEqual(['a@10.0.0', 'b@1.0.0']);
    expect((await repo.list('t1', { limit: 10, q: 'B FL' })).map((w) => w.aggregateId)).toEqual(['b@1.0.0']);
  });

  it('deletes a draft', async () => {
    const repo = new InMemoryWorkflowRepository();
    await repo.insert(make('wf', '1.0.0'));
    const draft = (await repo.findVersion('t1', 'wf', '1.0.0')) as Workflow;
    draft.markDeleted();
    await repo.delete(draft);
    expect(repo.size).toBe(0);
  });
});
