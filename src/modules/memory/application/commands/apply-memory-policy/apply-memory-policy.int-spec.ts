import { Test, TestingModule } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import { newId } from '@cognition/platform/ids/uuid';
import { ApplyMemoryPolicyCommand, CreateMemoriesCommand, CreateMemoryCollectionCommand, AddMemoryToCollectionCommand, CreateMemoryPolicyCommand, type NewMemory, type PolicyApplication } from '@cognition/memory/contracts';

const TENANT = newId();
const OTHER = newId();

/** An 8-dimension vector along axis `axis`, nudged by `noise` along the next axis (cosine ≈ 1 − noise²/2). */
const vec = (axis: number, noise = 0) => {
  const v = Array.from({ length: 8 }, (_, i) => (i === axis ? 1 : i === (axis + 1) % 8 ? noise : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

describe('ApplyMemoryPolicyCommand (real PostgreSQL)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let ds: DataSource;
  let commands: CommandBus;

  beforeAll(async () => {
    db = await createTestDatabase('memory_policy_apply');
    testEnv(db, { WORKER_ENABLED: 'false' });
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { MemoryModule } = await import('@cognition/memory/memory.module');
    moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), MemoryModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    ds = moduleRef.get(DataSource);
    commands = moduleRef.get(CommandBus);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  /** Creates one memory through the memory core, then ages it (created `age` days ago). */
  async function memory(content: string, options: Partial<NewMemory> & { age?: number; accessCount?: number; expired?: boolean; tenantId?: string } = {}): Promise<string> {
    const { age = 0, accessCount = 0, expired = false, tenantId = TENANT, ...fields } = options;
    const [view] = await commands.execute(new CreateMemoriesCommand(tenantId, [{ namespace: 'acme.support', embeddingModel: 'test-8', embedding: vec(7), ...fields, content }]));
    await ds.query(
      `UPDATE memories SET created_at = now() - make_interval(days => $2), expires_at = CASE WHEN $3 THEN now() - interval '1 hour' ELSE expires_at END WHERE id = $1`,
      [view.id, age, expired],
    );
    if (accessCount) await ds.query(`INSERT INTO memory_access (memory_id, access_count, last_accessed_at) VALUES ($1, $2, NULL)`, [view.id, accessCount]);
    return view.id;
  }

  const statusOf = async (id: string) => (await ds.query(`SELECT status FROM memories WHERE id = $1`, [id]))[0]?.status;
  const apply = (policyId: string, dryRun: boolean, tenantId = TENANT): Promise<PolicyApplication> => commands.execute(new ApplyMemoryPolicyCommand(tenantId, policyId, dryRun));

  it('does in a real run exactly what the dry run reported, in one transaction, with every event', async () => {
    const d1 = await memory('The customer prefers email. Their plan is Pro.', { age: 42, embedding: vec(0, 0.1) });
    const d2 = await memory('The customer prefers email!', { age: 41, embedding: vec(0, 0.05) });
    const d3 = await memory('Customer prefers e-mail over phone.', { age: 40, embedding: vec(0, 0.15), tags: ['contact'] });
    const distinct = await memory('The customer is in Berlin.', { age: 40, embedding: vec(1) });
    const low1 = await memory('Asked about invoices once.', { age: 50, importance: 'low', embedding: vec(2) });
    const low2 = await memory('Opened the settings page.', { age: 45, importance: 'low', embedding: vec(3) });
    const toArchive = await memory('Old ticket about shipping.', { age: 100, embedding: vec(4) });
    const toDelete = await memory('Ancient ticket.', { age: 400, embedding: vec(5) });
    const inSubtree = await memory('Agent 42 note.', { age: 400, namespace: 'acme.support.agent42', embedding: vec(5) });
    const high = await memory('The customer is allergic to peanuts.', { age: 400, importance: 'high', embedding: vec(6) });
    const expired = await memory('Temporary code 1234.', { expired: true, embedding: vec(6) });
    const young = await memory('Said hi.', { age: 1, importance: 'low', embedding: vec(1, 0.5) });
    const used = await memory('Uses the mobile app.', { age: 1, accessCount: 3, embedding: vec(2, 0.5) });
    const outside = await memory('Billing note.', { age: 400, namespace: 'acme.billing', embedding: vec(5) });
    const otherTenant = await memory('Other tenant, same namespace.', { age: 400, tenantId: OTHER, embedding: vec(5) });
    const collection = await commands.execute(new CreateMemoryCollectionCommand(TENANT, { name: 'tickets' }));
    await commands.execute(new AddMemoryToCollectionCommand(TENANT, collection.id, toDelete));
    await commands.execute(new AddMemoryToCollectionCommand(TENANT, collection.id, high));

    const policy = await commands.execute(
      new CreateMemoryPolicyCommand(TENANT, { name: 'support', namespace: 'acme.support', compressAfterDays: 30, archiveAfterDays: 90, deleteAfterDays: 365, maxMemories: 11 }),
    );
    const eventsBefore = Number((await ds.query(`SELECT count(*) AS n FROM domain_events`))[0].n);
    const dry = await apply(policy.id, true);
    expect(dry).toEqual({
      policyId: policy.id,
      dryRun: true,
      compressed: [
        { summaryId: null, memoryIds: [d3, d2, d1] },
        { summaryId: null, memoryIds: [low2, low1] },
      ],
      archived: [toArchive],
      deleted: [toDelete, inSubtree].sort((a, b) => (a < b ? -1 : 1)),
      evicted: [young],
      expired: [expired],
    });
    // The dry run changed nothing and recorded nothing.
    expect(Number((await ds.query(`SELECT count(*) AS n FROM domain_events`))[0].n)).toBe(eventsBefore);
    expect(await statusOf(d1)).toBe('active');

    const real = await apply(policy.id, false);
    expect(real.dryRun).toBe(false);
    expect(real.compressed.map((c) => c.memoryIds)).toEqual(dry.compressed.map((c) => c.memoryIds));
    expect({ ...real, compressed: undefined, dryRun: undefined }).toEqual({ ...dry, compressed: undefined, dryRun: undefined });

    const [dupSummary, lowSummary] = real.compressed.map((c) => c.summaryId!);
    const summaries = await ds.query(
      `SELECT id, content, namespace::text AS namespace, memory_type, status, importance, summary_of, tags, embedding_model, metadata FROM memories WHERE id = ANY($1) ORDER BY id`,
      [[dupSummary, lowSummary]],
    );
    const dup = summaries.find((s: { id: string }) => s.id === dupSummary);
    expect(dup).toMatchObject({ namespace: 'acme.support', memory_type: 'fact', status: 'active', importance: 'medium', summary_of: [d3, d2, d1], tags: ['contact'], embedding_model: 'test-8' });
    expect(dup.content).toBe('Customer prefers e-mail over phone. The customer prefers email! Their plan is Pro.');
    expect(dup.metadata).toEqual({ summary: { kind: 'duplicates', method: 'extractive', memberCount: 3 } });
    expect(summaries.find((s: { id: string }) => s.id === lowSummary)).toMatchObject({ importance: 'low', summary_of: [low2, low1], content: 'Opened the settings page. Asked about invoices once.' });

    for (const id of [d1, d2, d3, low1, low2]) expect(await statusOf(id)).toBe('compressed');
    expect(await statusOf(toArchive)).toBe('archived');
    for (const id of [toDelete, inSubtree, young, expired]) expect(await statusOf(id)).toBe('deleted');
    for (const id of [distinct, high, used, outside, otherTenant]) expect(await statusOf(id)).toBe('active');
    expect(await ds.query(`SELECT memory_id FROM memory_collection_items WHERE collection_id = $1`, [collection.id])).toEqual([{ memory_id: high }]);

    const events = await ds.query(`SELECT type, aggregate_id, payload FROM domain_events ORDER BY position OFFSET $1`, [eventsBefore]);
    const count = (type: string) => events.filter((e: { type: string }) => e.type === type).length;
    expect(count('MemoryCreated')).toBe(2);
    expect(count('MemoriesMerged')).toBe(2);
    expect(count('DuplicateMemoriesDetected')).toBe(1);
    expect(count('MemoryCompressed')).toBe(5);
    expect(count('MemoryArchived')).toBe(1);
    expect(count('MemoryDeleted')).toBe(4);
    expect(count('MemoryRemovedFromCollection')).toBe(1);
    expect(events.find((e: { type: string }) => e.type === 'DuplicateMemoriesDetected')).toMatchObject({ aggregate_id: d3, payload: { memoryId: d3, duplicateIds: [d2, d1], similarity: expect.any(Number) } });
    expect(events.find((e: { type: string }) => e.type === 'LifecyclePolicyApplied').payload).toEqual({ policyId: policy.id, compressed: 5, archived: 1, deleted: 2, evicted: 1, expired: 1 });
    const [stored] = await ds.query(`SELECT last_applied_at, row_version FROM memory_policies WHERE id = $1`, [policy.id]);
    expect(stored.last_applied_at).toBeInstanceOf(Date);
    expect(stored.row_version).toBe(2);

    // Applying again finds nothing left to do (summaries are new, originals compressed, the rest done).
    expect(await apply(policy.id, true)).toEqual({ policyId: policy.id, dryRun: true, compressed: [], archived: [], deleted: [], evicted: [], expired: [] });
  });

  it('rolls everything back when a step of the real run fails', async () => {
    const a = await memory('Rollback a.', { age: 40, namespace: 'rollback', embedding: vec(0) });
    const b = await memory('Rollback b.', { age: 40, namespace: 'rollback', embedding: vec(0, 0.01) });
    const old = await memory('Rollback old.', { age: 400, namespace: 'rollback', embedding: vec(3) });
    const policy = await commands.execute(new CreateMemoryPolicyCommand(TENANT, { name: 'rollback', namespace: 'rollback', compressAfterDays: 30, deleteAfterDays: 365 }));
    // The last write of the run (the soft delete) fails: the merge written before it must roll back too.
    await ds.query(`CREATE FUNCTION fail_rollback_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
    await ds.query(`CREATE TRIGGER fail_rollback_test BEFORE UPDATE ON memories FOR EACH ROW
      WHEN (NEW.status = 'deleted' AND NEW.namespace = 'rollback') EXECUTE FUNCTION fail_rollback_test()`);
    try {
      await expect(apply(policy.id, false)).rejects.toThrow('refused by the test');
    } finally {
      await ds.query(`DROP TRIGGER fail_rollback_test ON memories`);
      await ds.query(`DROP FUNCTION fail_rollback_test()`);
    }
    expect(await ds.query(`SELECT id FROM memories WHERE namespace = 'rollback' AND summary_of <> '{}'`)).toEqual([]);
    for (const id of [a, b, old]) expect(await statusOf(id)).toBe('active');
    expect((await ds.query(`SELECT last_applied_at FROM memory_policies WHERE id = $1`, [policy.id]))[0].last_applied_at).toBeNull();
  });

  it('answers MEMORY_POLICY_NOT_FOUND for another tenant’s policy and a malformed id', async () => {
    const policy = await commands.execute(new CreateMemoryPolicyCommand(TENANT, { name: 'mine', namespace: 'x' }));
    await expect(apply(policy.id, true, OTHER)).rejects.toMatchObject({ code: 'MEMORY_POLICY_NOT_FOUND' });
    await expect(apply('nope', false)).rejects.toMatchObject({ code: 'MEMORY_POLICY_NOT_FOUND' });
  });
});
