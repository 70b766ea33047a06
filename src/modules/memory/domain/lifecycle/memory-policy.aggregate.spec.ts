import { MemoryPolicy } from './memory-policy.aggregate';

const TENANT = '00000000-0000-7000-8000-000000000001';
const NOW = new Date('2030-01-01T00:00:00Z');

describe('MemoryPolicy', () => {
  it('applies the defaults and records LifecyclePolicyCreated', () => {
    const policy = MemoryPolicy.create('p1', TENANT, { name: 'support', namespace: 'acme.support' }, NOW);
    expect(policy.toView()).toEqual({
      id: 'p1',
      name: 'support',
      namespace: 'acme.support',
      compressAfterDays: null,
      archiveAfterDays: null,
      deleteAfterDays: null,
      importanceThreshold: 'high',
      maxMemories: null,
      ttlDays: null,
      enabled: true,
      lastAppliedAt: null,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      revision: 1,
    });
    expect(policy.pullEvents().map((e) => [e.type, e.payload])).toEqual([['LifecyclePolicyCreated', { policyId: 'p1', name: 'support', namespace: 'acme.support' }]]);
  });

  it('lists every problem of an invalid policy in one VALIDATION_FAILED', () => {
    let error: any;
    try {
      MemoryPolicy.create('p1', TENANT, { name: ' ', namespace: 'acme-support', compressAfterDays: 0, archiveAfterDays: 1.5, maxMemories: -1, importanceThreshold: 'huge' as never, enabled: 'yes' as never });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(error.errors.map((e: { path: string }) => e.path).sort()).toEqual(['archiveAfterDays', 'compressAfterDays', 'enabled', 'importanceThreshold', 'maxMemories', 'name', 'namespace']);
  });

  it('replaces its settings, counts revisions and records the application', () => {
    const policy = MemoryPolicy.restore({ ...MemoryPolicy.create('p1', TENANT, { name: 'a', namespace: 'x' }, NOW).toSnapshot() });
    policy.replace({ name: 'b', namespace: 'x.y', deleteAfterDays: 30, enabled: false }, NOW);
    expect(policy.toView()).toMatchObject({ name: 'b', namespace: 'x.y', deleteAfterDays: 30, enabled: false, revision: 2 });
    expect(policy.loadedRevision).toBe(1);
    policy.applied({ compressed: 1, archived: 2, deleted: 3, evicted: 4, expired: 5 }, NOW);
    expect(policy.toView().lastAppliedAt).toBe(NOW.toISOString());
    expect(policy.pullEvents().map((e) => e.type)).toEqual(['LifecyclePolicyUpdated', 'LifecyclePolicyApplied']);
  });
});
