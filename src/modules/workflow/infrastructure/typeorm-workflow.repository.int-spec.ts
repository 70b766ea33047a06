import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { StaticStepTypeRegistry } from '../domain/step-type-registry';
import { Workflow } from '../domain/workflow.aggregate';
import { WorkflowRepository } from '../domain/workflow.repository.port';
import { WorkflowMapper } from './workflow.mapper';
import { WorkflowReadModel } from './workflow-read-model';

const TENANT = '00000000-0000-7000-8000-0000000000aa';
const types = new StaticStepTypeRegistry();

function draft(workflowId: string, version = '1.0.0', tags: string[] = []): Workflow {
  return Workflow.create(
    {
      tenantId: TENANT,
      workflowId,
      version,
      name: `Workflow ${workflowId}`,
      tags,
      steps: [
        { id: 'a', type: 'transform', params: { output: '${{ inputs.x }}' } },
        { id: 'b', type: 'transform', dependsOn: ['a'], retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 10 }, params: { output: '${{ steps.a.output }}' } },
      ],
      schedule: { cron: '*/5 * * * *', timezone: 'Europe/Paris' },
      outputs: { result: '${{ steps.b.output }}' },
    },
    types,
  );
}

describe('TypeOrmWorkflowRepository (real PostgreSQL)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let repo: WorkflowRepository;
  let tx: Tx;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('workflow_repo');
    testEnv(db);
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { WorkflowModule } = await import('../workflow.module');
    moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), WorkflowModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    repo = moduleRef.get(WorkflowRepository);
    tx = moduleRef.get(TransactionHost) as unknown as Tx;
    ds = moduleRef.get(DataSource);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  const eventsOf = (aggregateId: string) => ds.query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [aggregateId]);

  it('round-trips every field through the row and writes the events in the same transaction', async () => {
    const wf = draft('round-trip', '1.2.3', ['x', 'y']);
    const before = wf.toSnapshot();
    await tx.withTransaction(() => repo.insert(wf));
    const loaded = await repo.findVersion(TENANT, 'round-trip', '1.2.3');
    expect(loaded!.toSnapshot()).toEqual({ ...before, revision: 1, createdAt: expect.any(Date), updatedAt: expect.any(Date) });
    expect(WorkflowMapper.toSnapshot(WorkflowMapper.toRow(loaded!))).toEqual(loaded!.toSnapshot());
    expect(await eventsOf('round-trip@1.2.3')).toEqual([{ type: 'WorkflowCreated' }]);
  });

  it('writes neither the workflow nor its event when the transaction fails', async () => {
    await expect(
      tx.withTransaction(async () => {
        await repo.insert(draft('rolled-back'));
        throw new Error('later step of the command failed');
      }),
    ).rejects.toThrow('later step');
    expect(await repo.findVersion(TENANT, 'rolled-back', '1.0.0')).toBeNull();
    expect(await eventsOf('rolled-back@1.0.0')).toEqual([]);
  });

  it('refuses a duplicate version', async () => {
    await tx.withTransaction(() => repo.insert(draft('dup')));
    await expect(tx.withTransaction(() => repo.insert(draft('dup')))).rejects.toMatchObject({ code: 'WORKFLOW_VERSION_EXISTS' });
  });

  it('refuses a stale write (optimistic concurrency) and keeps the first one', async () => {
    await tx.withTransaction(() => repo.insert(draft('race')));
    const first = (await repo.findVersion(TENANT, 'race', '1.0.0'))!;
    const second = (await repo.findVersion(TENANT, 'race', '1.0.0'))!;
    first.activate(new Date());
    await tx.withTransaction(() => repo.update(first));
    second.archive(new Date());
    await expect(tx.withTransaction(() => repo.update(second))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    const stored = (await repo.findVersion(TENANT, 'race', '1.0.0'))!;
    expect(stored.status).toBe('active');
    expect(stored.revision).toBe(2);
    expect(await eventsOf('race@1.0.0')).toEqual([{ type: 'WorkflowCreated' }, { type: 'WorkflowActivated' }]);
  });

  it('orders versions numerically, and the read model finds the latest active one', async () => {
    for (const v of ['1.9.0', '1.10.0', '2.0.0']) await tx.withTransaction(() => repo.insert(draft('semver', v)));
    expect((await repo.listVersions(TENANT, 'semver')).map((w) => w.version)).toEqual(['1.9.0', '1.10.0', '2.0.0']);
    const reads = moduleRef.get(WorkflowReadModel);
    expect((await reads.latest(TENANT, 'semver'))!.version).toBe('2.0.0');
    const v110 = (await repo.findVersion(TENANT, 'semver', '1.10.0'))!;
    v110.activate(new Date());
    await tx.withTransaction(() => repo.update(v110));
    expect((await reads.latest(TENANT, 'semver'))!.version).toBe('1.10.0');
    expect(await reads.latest('00000000-0000-7000-8000-0000000000bb', 'semver')).toBeNull();
    expect((await reads.version(TENANT, 'semver', '1.9.0'))!).toMatchObject({ version: '1.9.0', status: 'draft', steps: expect.any(Array) });
  });

  it('filters lists by status, tag and search, after a keyset cursor', async () => {
    await tx.withTransaction(() => repo.insert(draft('filter-a', '1.0.0', ['blue'])));
    await tx.withTransaction(() => repo.insert(draft('filter-b', '1.0.0', ['red'])));
    expect((await repo.list(TENANT, { tag: 'red', limit: 10 })).map((w) => w.workflowId)).toEqual(['filter-b']);
    expect((await repo.list(TENANT, { q: 'FILTER-', limit: 10 })).map((w) => w.workflowId)).toEqual(['filter-a', 'filter-b']);
    expect((await repo.list(TENANT, { q: 'filter', limit: 10, after: { workflowId: 'filter-a', version: '1.0.0' } })).map((w) => w.workflowId)).toEqual(['filter-b']);
    expect(await repo.list(TENANT, { q: '100%_', limit: 10 })).toEqual([]);
    expect((await repo.list(TENANT, { status: 'active', limit: 10 })).map((w) => w.workflowId)).toEqual(['race', 'semver']);
  });
});
