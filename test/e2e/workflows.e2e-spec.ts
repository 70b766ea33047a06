import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const W = '/api/v3/workflows';

function diamond(id = 'diamond', version = '1.0.0') {
  return {
    id,
    version,
    name: 'Diamond',
    description: 'fetch, two branches, join',
    tags: ['demo', 'dag'],
    steps: [
      { id: 'fetch', type: 'transform', params: { output: { text: '${{ inputs.text }}' } } },
      { id: 'left', type: 'transform', dependsOn: ['fetch'], params: { output: '${{ steps.fetch.output.text }}' } },
      { id: 'right', type: 'transform', dependsOn: ['fetch'], condition: "inputs.mode == 'full'", params: { output: 'r' } },
      { id: 'join', type: 'transform', dependsOn: ['left', 'right'], params: { output: 'L=${{ steps.left.output }}' } },
    ],
  };
}

describe('workflows over HTTP', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('workflows');
    api = apiClient(t.url, t.key);
  });
  afterAll(() => t?.close());

  it('runs the whole lifecycle: create, read, edit the draft, activate, deprecate, archive', async () => {
    const created = await api('POST', W, { body: diamond() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'diamond', version: '1.0.0', status: 'draft', tags: ['demo', 'dag'] });
    expect(created.body.steps[1]).toMatchObject({ id: 'left', name: 'left', dependsOn: ['fetch'], timeoutSeconds: 300, retry: { maxAttempts: 1 } });

    const read = await api('GET', `${W}/diamond/versions/1.0.0`);
    expect(read.status).toBe(200);
    expect(read.body.steps).toHaveLength(4);

    const edited = await api('PUT', `${W}/diamond/versions/1.0.0`, { body: { ...diamond(), id: undefined, version: undefined, name: 'Diamond v1' } });
    expect(edited.status).toBe(200);
    expect(edited.body.name).toBe('Diamond v1');
    expect(edited.body.revision).toBe(created.body.revision + 1);

    const analysis = await api('GET', `${W}/diamond/versions/1.0.0/analysis`);
    expect(analysis.status).toBe(200);
    expect(analysis.body).toEqual({
      topologicalOrder: ['fetch', 'left', 'right', 'join'],
      levels: [['fetch'], ['left', 'right'], ['join']],
      criticalPath: ['fetch', 'left', 'join'],
      maxParallelism: 2,
    });

    expect((await api('POST', `${W}/diamond/versions/1.0.0/activate`)).body.status).toBe('active');
    expect((await api('POST', `${W}/diamond/versions/1.0.0/deprecate`)).body.status).toBe('deprecated');
    expect((await api('POST', `${W}/diamond/versions/1.0.0/archive`)).body.status).toBe('archived');
    const again = await api('POST', `${W}/diamond/versions/1.0.0/activate`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('WORKFLOW_INVALID_TRANSITION');
  });

  it('GET /workflows/{id} answers the latest active version, else the latest', async () => {
    await api('POST', W, { body: { ...diamond('multi', '1.2.0'), status: 'active' } });
    await api('POST', W, { body: diamond('multi', '1.10.0') });
    const latest = await api('GET', `${W}/multi`);
    expect(latest.body.version).toBe('1.2.0');
    await api('POST', `${W}/multi/versions/1.10.0/activate`);
    expect((await api('GET', `${W}/multi`)).body.version).toBe('1.10.0');
    const versions = await api('GET', `${W}/multi/versions`);
    expect(versions.body.items.map((v: { version: string }) => v.version)).toEqual(['1.2.0', '1.10.0']);
  });

  it('lists with filters and keyset pagination', async () => {
    for (const id of ['list-a', 'list-b', 'list-c']) await api('POST', W, { body: { ...diamond(id), name: `Report ${id}`, tags: [id === 'list-b' ? 'special' : 'plain'] } });
    const page1 = await api('GET', `${W}?q=report&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((w: { id: string }) => w.id)).toEqual(['list-a', 'list-b']);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api('GET', `${W}?q=report&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((w: { id: string }) => w.id)).toEqual(['list-c']);
    expect(page2.body.nextCursor).toBeNull();
    const tagged = await api('GET', `${W}?tag=special`);
    expect(tagged.body.items.map((w: { id: string }) => w.id)).toEqual(['list-b']);
    const active = await api('GET', `${W}?status=active&q=report`);
    expect(active.body.items).toEqual([]);
    expect((await api('GET', `${W}?limit=0`)).status).toBe(422);
    expect((await api('GET', `${W}?status=bogus`)).status).toBe(422);
    const badCursor = await api('GET', `${W}?cursor=not-a-cursor`);
    expect(badCursor.status).toBe(400);
  });

  it('answers 401 without a key, with an unknown key and with a revoked key', async () => {
    const none = await api('GET', W, { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED', title: 'Unauthorized' });
    expect((await api('GET', W, { key: 'cos_AAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' })).status).toBe(401);
    const other = await t.newTenant('revoked');
    expect((await api('GET', W, { key: other.key })).status).toBe(200);
    const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
    await t.app.get(ApiKeyService).revokeKey(other.keyId);
    expect((await api('GET', W, { key: other.key })).status).toBe(401);
  });

  it("hides another tenant's workflows: 404, never the data", async () => {
    await api('POST', W, { body: diamond('private') });
    const other = await t.newTenant('other');
    for (const [method, path] of [
      ['GET', `${W}/private`],
      ['GET', `${W}/private/versions`],
      ['GET', `${W}/private/versions/1.0.0`],
      ['GET', `${W}/private/versions/1.0.0/analysis`],
      ['POST', `${W}/private/versions/1.0.0/activate`],
      ['DELETE', `${W}/private/versions/1.0.0`],
    ]) {
      const res = await api(method, path, { key: other.key });
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 404, code: 'WORKFLOW_NOT_FOUND' });
    }
    expect((await api('GET', W, { key: other.key })).body.items).toEqual([]);
    // The other tenant may use the same id: ids are per tenant.
    expect((await api('POST', W, { key: other.key, body: diamond('private') })).status).toBe(201);
  });

  it('answers 409 for a duplicate version and for editing or deleting a non-draft', async () => {
    expect((await api('POST', W, { body: diamond('dup') })).status).toBe(201);
    const dup = await api('POST', W, { body: diamond('dup') });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('WORKFLOW_VERSION_EXISTS');
    await api('POST', `${W}/dup/versions/1.0.0/activate`);
    const edit = await api('PUT', `${W}/dup/versions/1.0.0`, { body: { name: 'x', steps: diamond().steps } });
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('WORKFLOW_NOT_DRAFT');
    const del = await api('DELETE', `${W}/dup/versions/1.0.0`);
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('WORKFLOW_NOT_DRAFT');
  });

  it('deletes a draft', async () => {
    await api('POST', W, { body: diamond('gone') });
    expect((await api('DELETE', `${W}/gone/versions/1.0.0`)).status).toBe(204);
    expect((await api('GET', `${W}/gone/versions/1.0.0`)).status).toBe(404);
  });

  it('answers 422 for an invalid DAG, listing every problem', async () => {
    const res = await api('POST', W, {
      body: {
        id: 'broken',
        version: '1.0.0',
        name: 'Broken',
        steps: [
          { id: 'a', type: 'transform', dependsOn: ['c'] },
          { id: 'b', type: 'transform', dependsOn: ['a'] },
          { id: 'c', type: 'transform', dependsOn: ['b'] },
          { id: 'b', type: 'transform' },
          { id: 'd', type: 'no_such_type', dependsOn: ['ghost'], params: { x: '${{ steps.a.output' } },
          { id: 'e', type: 'transform', params: { x: '${{ steps.d.output }}' } },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('WORKFLOW_INVALID_DAG');
    const messages = res.body.errors.map((e: { message: string }) => e.message).join('\n');
    expect(res.body.errors.length).toBeGreaterThanOrEqual(6);
    expect(messages).toMatch(/"b" is already used/);
    expect(messages).toMatch(/ghost/);
    expect(messages).toMatch(/cycle: (a -> c -> b -> a|c -> b -> a -> c|b -> a -> c -> b)/);
    expect(messages).toMatch(/no_such_type/);
    expect(messages).toMatch(/steps\.d|\bd\b/);
  });

  it('answers 422 VALIDATION_FAILED for bad field values and wrong types', async () => {
    const res = await api('POST', W, { body: { id: 'Bad Id!', version: '1.0', name: '', steps: [] } });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['workflowId', 'version', 'name', 'steps']));
    const typed = await api('POST', W, { body: { id: 'x', version: '1.0.0', name: 5, steps: 'nope' } });
    expect(typed.status).toBe(422);
    expect(typed.body.code).toBe('VALIDATION_FAILED');
  });

  it('answers 400 for malformed JSON and for unknown fields, 413 for a huge body', async () => {
    const malformed = await api('POST', W, { rawBody: '{"id": "x", ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await api('POST', W, { body: { ...diamond('unknown'), colour: 'red', steps: [{ id: 'a', type: 'transform', bogus: 1 }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('UNKNOWN_FIELD');
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['colour', 'steps[0].bogus']));
    const huge = await api('POST', W, { body: { ...diamond('huge'), description: 'x'.repeat(1_100_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await api('POST', W, { rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('serves health, metrics and the OpenAPI document without a key', async () => {
    expect((await api('GET', '/health/live', { key: null })).status).toBe(200);
    const ready = await api('GET', '/health/ready', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('cognitionos_http_request_duration_seconds_bucket');
    expect(metrics).toMatch(/route="\/api\/v3\/workflows"/);
    expect(metrics).toContain('cognitionos_db_pool_total_clients');
    expect(metrics).toMatch(/cognitionos_repository_operation_duration_seconds_count\{repository="workflow",method="insert"\}/);
    expect(metrics).toMatch(/cognitionos_domain_events_published_total\{type="WorkflowCreated"\}/);
    const doc = await api('GET', '/docs-json', { key: null });
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v3/workflows',
        '/api/v3/workflows/{id}',
        '/api/v3/workflows/{id}/versions',
        '/api/v3/workflows/{id}/versions/{version}',
        '/api/v3/workflows/{id}/versions/{version}/activate',
        '/api/v3/workflows/{id}/versions/{version}/deprecate',
        '/api/v3/workflows/{id}/versions/{version}/archive',
        '/api/v3/workflows/{id}/versions/{version}/analysis',
      ]),
    );
    expect(doc.body.paths['/api/v3/workflows'].post.requestBody.content['application/json'].schema.$ref).toContain('CreateWorkflowRequestDto');
    expect(doc.body.paths['/api/v3/workflows'].post.responses['201'].content['application/json'].schema.$ref).toContain('WorkflowResponseDto');
  });

  it('carries the request id from the header to the response and the outbox', async () => {
    const res = await api('POST', W, { body: diamond('traced'), headers: { 'x-request-id': 'req-e2e-1' } });
    expect(res.headers.get('x-request-id')).toBe('req-e2e-1');
    const { DataSource } = await import('typeorm');
    const rows = await t.app.get(DataSource).query(`SELECT type, correlation_id FROM domain_events WHERE aggregate_id = 'traced@1.0.0'`);
    expect(rows).toEqual([{ type: 'WorkflowCreated', correlation_id: 'req-e2e-1' }]);
  });
});
