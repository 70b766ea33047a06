import { DataSource } from 'typeorm';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const P = '/api/v3/memory-policies';

describe('memory lifecycle policies over HTTP', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let other: ReturnType<typeof apiClient>;
  let ds: DataSource;

  beforeAll(async () => {
    // Summaries by the model provider (the offline echo provider answers with the prompt it got).
    t = await startTestApp('memory_policies', { WORKER_ENABLED: 'false', MODEL_PROVIDER: 'echo', MEMORY_SUMMARY_MODEL: 'echo-summary' });
    api = apiClient(t.url, t.key);
    other = apiClient(t.url, (await t.newTenant('other')).key);
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  };
  /** A memory created over the API, then made `days` old (the clock is the one thing HTTP cannot move). */
  const memory = async (content: string, body: Record<string, unknown>, days: number): Promise<string> => {
    const res = await api('POST', '/api/v3/memories', { body: { content, ...body } });
    expect(res.status).toBe(201);
    await ds.query(`UPDATE memories SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [res.body.id, days]);
    return res.body.id;
  };

  it('creates a policy with its defaults, reads, lists, replaces with If-Match and deletes it', async () => {
    const created = await api('POST', P, { body: { name: 'support', namespace: 'acme.support', archiveAfterDays: 90 } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'support',
      namespace: 'acme.support',
      compressAfterDays: null,
      archiveAfterDays: 90,
      deleteAfterDays: null,
      importanceThreshold: 'high',
      maxMemories: null,
      ttlDays: null,
      enabled: true,
      lastAppliedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      revision: 1,
    });
    const id = created.body.id;
    expect((await api('GET', `${P}/${id}`)).body).toEqual(created.body);
    expect((await api('POST', P, { body: { name: 'second', namespace: 'acme' } })).status).toBe(201);
    const page = await api('GET', `${P}?limit=1`);
    expect(page.body.items.map((p: { name: string }) => p.name)).toEqual(['second']);
    expect((await api('GET', `${P}?limit=1&cursor=${page.body.nextCursor}`)).body).toMatchObject({ items: [{ name: 'support' }], nextCursor: null });

    const replaced = await api('PUT', `${P}/${id}`, { body: { name: 'support', namespace: 'acme.support', deleteAfterDays: 365, importanceThreshold: 'critical', enabled: false }, headers: { 'if-match': '"1"' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ archiveAfterDays: null, deleteAfterDays: 365, importanceThreshold: 'critical', enabled: false, revision: 2 });
    expectProblem(await api('PUT', `${P}/${id}`, { body: { name: 'support', namespace: 'acme' }, headers: { 'if-match': '1' } }), 409, 'CONCURRENT_MODIFICATION');
    expectProblem(await api('PUT', `${P}/${id}`, { body: { name: 'support', namespace: 'acme' }, headers: { 'if-match': 'soon' } }), 400, 'BAD_REQUEST');
    expectProblem(await api('PUT', `${P}/${id}`, { body: { name: 'second', namespace: 'acme' } }), 409, 'MEMORY_POLICY_EXISTS');

    expect((await api('DELETE', `${P}/${id}`)).status).toBe(204);
    expectProblem(await api('GET', `${P}/${id}`), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await api('DELETE', `${P}/${id}`), 404, 'MEMORY_POLICY_NOT_FOUND');
    const events = await ds.query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [id]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['LifecyclePolicyCreated', 'LifecyclePolicyUpdated', 'LifecyclePolicyDeleted']);
  });

  it('answers bad input with 400 and 422 listing every problem, a duplicate with 409, another tenant with 404', async () => {
    expect((await api('POST', P, { body: { name: 'dup', namespace: 'x' } })).status).toBe(201);
    expectProblem(await api('POST', P, { body: { name: 'dup', namespace: 'y' } }), 409, 'MEMORY_POLICY_EXISTS');
    expect((await other('POST', P, { body: { name: 'dup', namespace: 'x' } })).status).toBe(201);
    expectProblem(await api('POST', P, { body: { name: 'x', namespace: 'x', retention: 3 } }), 400, 'UNKNOWN_FIELD');
    const invalid = await api('POST', P, { body: { name: 'bad', namespace: 'acme-support', compressAfterDays: 0, maxMemories: -5 } });
    expectProblem(invalid, 422, 'VALIDATION_FAILED');
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['compressAfterDays', 'maxMemories', 'namespace']);
    const types = await api('POST', P, { body: { name: 'bad', namespace: 'x', archiveAfterDays: 1.5, importanceThreshold: 'huge', enabled: 'yes' } });
    expectProblem(types, 422, 'VALIDATION_FAILED');
    expect(types.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['archiveAfterDays', 'enabled', 'importanceThreshold']);
    expectProblem(await api('POST', P, { body: { namespace: 'x' } }), 422, 'VALIDATION_FAILED');

    const mine = (await api('POST', P, { body: { name: 'mine', namespace: 'x' } })).body;
    expectProblem(await other('GET', `${P}/${mine.id}`), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await other('PUT', `${P}/${mine.id}`, { body: { name: 'mine', namespace: 'x' } }), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await other('DELETE', `${P}/${mine.id}`), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await other('POST', `${P}/${mine.id}/apply?dryRun=true`), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await api('GET', `${P}/not-a-uuid`), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await api('POST', `${P}/not-a-uuid/apply`), 404, 'MEMORY_POLICY_NOT_FOUND');
    expectProblem(await api('POST', `${P}/${mine.id}/apply?dryRun=maybe`), 422, 'VALIDATION_FAILED');
    expectProblem(await api('POST', `${P}/${mine.id}/apply?force=true`), 400, 'UNKNOWN_FIELD');
    expectProblem(await api('PUT', `${P}/${mine.id}`, { body: { name: 'mine', namespace: '' } }), 422, 'VALIDATION_FAILED');
    expect((await api('GET', P, { key: null })).status).toBe(401);
  });

  it('applies a policy: the dry run reports exactly what the real run then does, the model writing the summary', async () => {
    const model = { embeddingModel: 'e2e-4' };
    const a = await memory('The customer prefers email.', { namespace: 'shop.support', embedding: [1, 0.01, 0, 0], ...model }, 40);
    const b = await memory('The customer prefers e-mail.', { namespace: 'shop.support', embedding: [1, 0.02, 0, 0], ...model }, 41);
    const old = await memory('Ticket from long ago.', { namespace: 'shop.support.bot', embedding: [0, 1, 0, 0], ...model }, 400);
    const archived = await memory('Ticket from last quarter.', { namespace: 'shop.support', embedding: [0, 0, 1, 0], ...model }, 100);
    const kept = await memory('Critical: never call after 8pm.', { namespace: 'shop.support', importance: 'critical', embedding: [0, 0, 0, 1], ...model }, 400);
    const policy = (await api('POST', P, { body: { name: 'shop', namespace: 'shop.support', compressAfterDays: 30, archiveAfterDays: 90, deleteAfterDays: 365 } })).body;

    const dry = await api('POST', `${P}/${policy.id}/apply?dryRun=true`);
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ policyId: policy.id, dryRun: true, compressed: [{ summaryId: null, memoryIds: [a, b] }], archived: [archived], deleted: [old], evicted: [], expired: [] });
    expect((await api('GET', `/api/v3/memories/${a}`)).body.status).toBe('active');

    const real = await api('POST', `${P}/${policy.id}/apply`);
    expect(real.status).toBe(200);
    expect(real.body).toEqual({ ...dry.body, dryRun: false, compressed: [{ summaryId: expect.any(String), memoryIds: [a, b] }] });
    const summary = await api('GET', `/api/v3/memories/${real.body.compressed[0].summaryId}`);
    expect(summary.body).toMatchObject({ namespace: 'shop.support', status: 'active', summaryOf: [a, b], embeddingModel: 'e2e-4' });
    expect(summary.body.content).toBe('Merge these memories:\n- The customer prefers email.\n- The customer prefers e-mail.');
    expect(summary.body.metadata).toEqual({ summary: { kind: 'duplicates', method: 'model', memberCount: 2 } });
    expect((await api('GET', `/api/v3/memories/${a}`)).body.status).toBe('compressed');
    expect((await api('GET', `/api/v3/memories/${kept}`)).body.status).toBe('active');
    expect((await api('GET', `/api/v3/memories/${old}`)).status).toBe(404);
    expect((await api('GET', `${P}/${policy.id}`)).body).toMatchObject({ lastAppliedAt: expect.any(String), revision: 2 });
    expect((await api('POST', `${P}/${policy.id}/apply?dryRun=true`)).body).toMatchObject({ compressed: [], archived: [], deleted: [], evicted: [], expired: [] });
  });
});
