import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const C = '/api/v3/memory-collections';
const MISSING = '01900000-0000-7000-8000-000000000000';

describe('memory collections over HTTP', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let other: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestApp('memory_collections', { WORKER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
    other = apiClient(t.url, (await t.newTenant('other')).key);
  });
  afterAll(async () => {
    await t?.close();
  });

  const memory = async (content: string, client = api): Promise<string> => {
    const res = await client('POST', '/api/v3/memories', { body: { content, namespace: 'e2e.collections' } });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  };

  it('creates, reads, lists with pages and deletes collections', async () => {
    const created = await api('POST', C, { body: { name: 'onboarding', description: 'facts learnt on day one' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: 'onboarding', description: 'facts learnt on day one', memoryCount: 0, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const second = await api('POST', C, { body: { name: 'second' } });
    expect(second.body.description).toBeNull();
    expect((await api('GET', `${C}/${created.body.id}`)).body).toEqual(created.body);

    const page1 = await api('GET', `${C}?limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((c: { name: string }) => c.name)).toEqual(['second']);
    const page2 = await api('GET', `${C}?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((c: { name: string }) => c.name)).toEqual(['onboarding']);

    expect((await api('DELETE', `${C}/${second.body.id}`)).status).toBe(204);
    expectProblem(await api('GET', `${C}/${second.body.id}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await api('DELETE', `${C}/${second.body.id}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
  });

  it('answers the failures with problem+json: 409 duplicate, 400 unknown field, 422 invalid, 404 other tenant or malformed id', async () => {
    expect((await api('POST', C, { body: { name: 'dup' } })).status).toBe(201);
    expectProblem(await api('POST', C, { body: { name: 'dup' } }), 409, 'MEMORY_COLLECTION_EXISTS');
    expect((await other('POST', C, { body: { name: 'dup' } })).status).toBe(201);
    expectProblem(await api('POST', C, { body: { name: 'x', colour: 'red' } }), 400, 'UNKNOWN_FIELD');
    expectProblem(await api('POST', C, { body: {} }), 422, 'VALIDATION_FAILED');
    expectProblem(await api('POST', C, { body: { name: 42 } }), 422, 'VALIDATION_FAILED');
    const blank = await api('POST', C, { body: { name: '   ' } });
    expectProblem(blank, 422, 'VALIDATION_FAILED');
    expect(blank.body.errors).toEqual([expect.objectContaining({ path: 'name' })]);
    expectProblem(await api('POST', C, { rawBody: '{"name":' }), 400, 'MALFORMED_JSON');
    expectProblem(await api('GET', `${C}?limit=0`), 422, 'VALIDATION_FAILED');
    expectProblem(await api('GET', `${C}?cursor=!!`), 400, 'INVALID_CURSOR');

    const mine = (await api('POST', C, { body: { name: 'private' } })).body;
    expectProblem(await other('GET', `${C}/${mine.id}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await other('DELETE', `${C}/${mine.id}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await other('GET', `${C}/${mine.id}/memories`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await api('GET', `${C}/not-a-uuid`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await api('GET', `${C}/${MISSING}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expect((await other('GET', C)).body.items.map((c: { name: string }) => c.name)).toEqual(['dup']);
    expect((await api('GET', C, { key: null })).status).toBe(401);
  });

  it('adds memories idempotently, lists and counts the members, removes them, and drops deleted memories', async () => {
    const c = (await api('POST', C, { body: { name: 'members' } })).body;
    const [a, b] = [await memory('The user likes green tea'), await memory('The user has two cats')];

    const added = await api('PUT', `${C}/${c.id}/memories/${a}`);
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ collectionId: c.id, memoryId: a, added: true });
    expect((await api('PUT', `${C}/${c.id}/memories/${a}`)).body.added).toBe(false);
    expect((await api('PUT', `${C}/${c.id}/memories/${b}`)).body.added).toBe(true);
    expect((await api('GET', `${C}/${c.id}`)).body.memoryCount).toBe(2);
    const listed = await api('GET', `${C}/${c.id}/memories`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((m: { id: string; content: string }) => [m.id, m.content])).toEqual([
      [b, 'The user has two cats'],
      [a, 'The user likes green tea'],
    ]);
    expect(listed.body.nextCursor).toBeNull();

    expect((await api('DELETE', `${C}/${c.id}/memories/${a}`)).status).toBe(204);
    expectProblem(await api('DELETE', `${C}/${c.id}/memories/${a}`), 404, 'MEMORY_NOT_FOUND');
    expect((await api('DELETE', `/api/v3/memories/${b}`)).status).toBe(204);
    expect((await api('GET', `${C}/${c.id}`)).body.memoryCount).toBe(0);
    expect((await api('GET', `${C}/${c.id}/memories`)).body.items).toEqual([]);
    expectProblem(await api('PUT', `${C}/${c.id}/memories/${b}`), 404, 'MEMORY_NOT_FOUND');
  });

  it('refuses members across tenants and malformed ids with 404', async () => {
    const c = (await api('POST', C, { body: { name: 'tenancy' } })).body;
    const mine = await memory('mine');
    const theirs = await memory('theirs', other);
    expectProblem(await api('PUT', `${C}/${c.id}/memories/${theirs}`), 404, 'MEMORY_NOT_FOUND');
    expectProblem(await other('PUT', `${C}/${c.id}/memories/${theirs}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await other('PUT', `${C}/${c.id}/memories/${mine}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await api('PUT', `${C}/${c.id}/memories/not-a-uuid`), 404, 'MEMORY_NOT_FOUND');
    expectProblem(await api('PUT', `${C}/not-a-uuid/memories/${mine}`), 404, 'MEMORY_COLLECTION_NOT_FOUND');
    expectProblem(await api('DELETE', `${C}/${c.id}/memories/not-a-uuid`), 404, 'MEMORY_NOT_FOUND');
    expect((await api('GET', `${C}/${c.id}`)).body.memoryCount).toBe(0);
  });
});
