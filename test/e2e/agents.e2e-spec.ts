import { Injectable, Module } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { apiClient } from '../support/http-client';
import { createTestDatabase, TestDatabase, testEnv } from '../support/test-database';

const D = '/api/v3/agent-definitions';
const A = '/api/v3/agents';
const MISSING = '01900000-0000-7000-8000-000000000000';

/**
 * Agent definitions and agents over HTTP: the real app (agent worker off) plus one test tool
 * registered the way an application would (`@AgentTool`).
 */
describe('agent definitions and agents over HTTP', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let otherKey: string;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase('agents');
    testEnv(db, { AGENT_WORKER_ENABLED: 'false', MODEL_PROVIDER: 'echo' });
    const cognition = await import('../../src');

    @Injectable()
    @cognition.AgentTool('calculator')
    class CalculatorTool {
      readonly description = 'Adds two numbers';
      readonly parameters = { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } };
      readonly requiredPermissions = ['math'];
      async execute(args: Record<string, unknown>): Promise<unknown> {
        return Number(args.a) + Number(args.b);
      }
    }

    @Module({ providers: [CalculatorTool] })
    class TestToolsModule {}

    @Module({ imports: [cognition.AppModule, TestToolsModule] })
    class TestAppModule {}

    app = await cognition.createApp(TestAppModule);
    await app.listen(0, '127.0.0.1');
    const keys = app.get(cognition.ApiKeyService);
    const tenant = await keys.createTenant('agents');
    tenantId = tenant.id;
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    api = apiClient(url, (await keys.createKey(tenant.id, 'test')).key);
    otherKey = (await keys.createKey((await keys.createTenant('other')).id, 'test')).key;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const events = async (aggregateId: string) =>
    (await app.get(DataSource).query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [aggregateId])).map((r: { type: string }) => r.type);

  async function definition(body: Record<string, unknown>) {
    const res = await api('POST', D, { body });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function agent(definitionId: string, body: Record<string, unknown> = {}) {
    const res = await api('POST', A, { body: { definitionId, ...body } });
    expect(res.status).toBe(201);
    return res.body;
  }

  describe('definitions', () => {
    it('registers with the SPEC defaults, reads, lists, updates and refuses duplicates', async () => {
      const created = await api('POST', D, { body: { name: 'summarizer', role: 'summarizer' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'summarizer',
        version: '1.0.0',
        role: 'summarizer',
        description: null,
        capabilities: [],
        tools: [],
        modelConfig: { provider: 'echo', model: 'echo', temperature: 0.7, maxTokens: 2000, topP: 1, fallback: null },
        defaultBudget: { maxTokens: 32000, maxCostUsd: 1, maxTimeSeconds: 300, maxToolExecutions: 10 },
        permissions: [],
        systemPromptTemplate: expect.stringContaining('${{ agent.role }}'),
        failureStrategy: 'retry',
        revision: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const id = created.body.id;
      expect((await api('GET', `${D}/${id}`)).body).toEqual(created.body);

      const duplicate = await api('POST', D, { body: { name: 'summarizer', role: 'critic' } });
      expect(duplicate.status).toBe(409);
      expect(duplicate.headers.get('content-type')).toContain('application/problem+json');
      expect(duplicate.body.code).toBe('AGENT_DEFINITION_EXISTS');
      const v2 = await definition({ name: 'summarizer', version: '2.0.0', role: 'summarizer', tools: ['calculator'], capabilities: ['math'] });
      expect(v2).toMatchObject({ version: '2.0.0', tools: ['calculator'] });

      const updated = await api('PUT', `${D}/${id}`, {
        body: { role: 'critic', description: 'reviews', modelConfig: { provider: 'openai', model: 'gpt-4o-mini', fallback: { model: 'gpt-4o' } }, failureStrategy: 'fallback' },
        headers: { 'if-match': '"1"' },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        name: 'summarizer',
        version: '1.0.0',
        role: 'critic',
        description: 'reviews',
        revision: 2,
        modelConfig: { provider: 'openai', model: 'gpt-4o-mini', fallback: { provider: 'openai', model: 'gpt-4o', temperature: 0.7 } },
      });
      const stale = await api('PUT', `${D}/${id}`, { body: { role: 'critic' }, headers: { 'if-match': '1' } });
      expect([stale.status, stale.body.code]).toEqual([409, 'CONCURRENT_MODIFICATION']);
      const rename = await api('PUT', `${D}/${id}`, { body: { name: 'other', role: 'critic' } });
      expect([rename.status, rename.body.code, rename.body.errors[0].path]).toEqual([422, 'VALIDATION_FAILED', 'name']);
      expect((await api('PUT', `${D}/${id}`, { body: { role: 'critic' }, headers: { 'if-match': 'abc' } })).status).toBe(400);

      const page1 = await api('GET', `${D}?name=summarizer&limit=1`);
      expect(page1.body.items.map((d: { version: string }) => d.version)).toEqual(['1.0.0']);
      const page2 = await api('GET', `${D}?name=summarizer&limit=1&cursor=${page1.body.nextCursor}`);
      expect([page2.body.items.map((d: { version: string }) => d.version), page2.body.nextCursor]).toEqual([['2.0.0'], null]);
      expect((await api('GET', `${D}?role=critic`)).body.items.map((d: { id: string }) => d.id)).toEqual([id]);
      expect((await api('GET', `${D}?cursor=garbage`)).status).toBe(400);
      expect((await api('GET', `${D}?limit=500`)).status).toBe(422);
      expect(await events(id)).toEqual(['AgentDefinitionRegistered', 'AgentDefinitionUpdated']);
    });

    it('lists every problem of an invalid definition in one 422', async () => {
      const res = await api('POST', D, {
        body: {
          name: 'Bad Name!',
          version: 'v1',
          role: 'Not A Role',
          capabilities: ['x', 'x'],
          modelConfig: { provider: 'openai', temperature: 5, topP: -1 },
          defaultBudget: { maxTokens: 0, maxToolExecutions: -3 },
          systemPromptTemplate: 'You are ${{ agent.role',
          failureStrategy: 'explode',
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
        [
          'name',
          'version',
          'role',
          'capabilities[1]',
          'modelConfig.model',
          'modelConfig.temperature',
          'modelConfig.topP',
          'defaultBudget.maxTokens',
          'defaultBudget.maxToolExecutions',
          'systemPromptTemplate',
          'failureStrategy',
        ].sort(),
      );
    });

    it('refuses unknown tools (422 TOOL_NOT_FOUND), unknown fields (400), wrong types (422) and bad templates (422)', async () => {
      const tool = await api('POST', D, { body: { name: 'tooly', role: 'executor', tools: ['calculator', 'teleport'] } });
      expect([tool.status, tool.body.code]).toEqual([422, 'TOOL_NOT_FOUND']);
      expect(tool.body.errors).toEqual([{ path: 'tools[1]', code: 'TOOL_NOT_FOUND', message: expect.stringContaining('"teleport"') }]);

      const unknown = await api('POST', D, { body: { name: 'x', role: 'executor', colour: 'blue' } });
      expect([unknown.status, unknown.body.code]).toEqual([400, 'UNKNOWN_FIELD']);
      const nested = await api('POST', D, { body: { name: 'x', role: 'executor', modelConfig: { model: 'm', seed: 1 } } });
      expect([nested.status, nested.body.code]).toEqual([400, 'UNKNOWN_FIELD']);
      const typed = await api('POST', D, { body: { name: 'x', role: 'executor', modelConfig: { temperature: 'hot' }, tools: 'calculator' } });
      expect([typed.status, typed.body.code]).toEqual([422, 'VALIDATION_FAILED']);
      expect(typed.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['tools', 'modelConfig.temperature']));
      const template = await api('POST', D, { body: { name: 'x', role: 'executor', systemPromptTemplate: 'Read ${{ inputs.secret }}' } });
      expect([template.status, template.body.errors[0].code]).toEqual([422, 'INVALID_TEMPLATE']);
      expect((await api('POST', D, { rawBody: '{"name": ', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    });

    it('refuses to delete a definition while live agents use it, then deletes it and frees its name', async () => {
      const def = await definition({ name: 'deletable', role: 'planner' });
      const a = await agent(def.id);
      const inUse = await api('DELETE', `${D}/${def.id}`);
      expect([inUse.status, inUse.body.code]).toEqual([409, 'AGENT_DEFINITION_IN_USE']);
      expect((await api('POST', `${A}/${a.id}/terminate`)).status).toBe(200);
      expect((await api('DELETE', `${D}/${def.id}`)).status).toBe(204);
      expect((await api('GET', `${D}/${def.id}`)).status).toBe(404);
      expect((await api('DELETE', `${D}/${def.id}`)).status).toBe(404);
      expect((await api('GET', `${A}/${a.id}`)).body).toMatchObject({ definitionId: def.id, status: 'terminated' });
      await definition({ name: 'deletable', role: 'planner' });
      expect(await events(def.id)).toEqual(['AgentDefinitionRegistered', 'AgentDefinitionDeleted']);
    });
  });

  describe('agents', () => {
    it('instantiates from a definition with its config, an overridden budget and permissions; reads and lists', async () => {
      const def = await definition({ name: 'worker', role: 'executor', capabilities: ['math'], tools: ['calculator'], defaultBudget: { maxTokens: 5000 } });
      const created = await api('POST', A, { body: { definitionId: def.id, budget: { maxCostUsd: 0.5 }, permissions: ['math'] } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        definitionId: def.id,
        name: 'worker',
        role: 'executor',
        status: 'idle',
        capabilities: ['math'],
        tools: ['calculator'],
        modelConfig: def.modelConfig,
        systemPromptTemplate: def.systemPromptTemplate,
        failureStrategy: 'retry',
        budgetLimits: { maxTokens: 5000, maxCostUsd: 0.5, maxTimeSeconds: 300, maxToolExecutions: 10 },
        budgetUsage: { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 },
        grantedPermissions: ['math'],
        currentTaskId: null,
        lastActiveAt: expect.any(String),
        revision: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await api('GET', `${A}/${created.body.id}`)).body).toEqual(created.body);
      const second = await agent(def.id);
      const other = await agent((await definition({ name: 'lone-critic', role: 'critic' })).id);

      expect((await api('GET', `${A}?definitionId=${def.id}`)).body.items.map((a: { id: string }) => a.id)).toEqual([created.body.id, second.id]);
      expect((await api('GET', `${A}?role=critic&status=idle`)).body.items.map((a: { id: string }) => a.id)).toEqual([other.id]);
      const page = await api('GET', `${A}?definitionId=${def.id}&limit=1`);
      expect((await api('GET', `${A}?definitionId=${def.id}&limit=1&cursor=${page.body.nextCursor}`)).body.items.map((a: { id: string }) => a.id)).toEqual([second.id]);
      expect((await api('GET', `${A}?status=sleeping`)).status).toBe(422);
      expect(await events(created.body.id)).toEqual(['AgentCreated', 'AgentBecameIdle']);
    });

    it('refuses an unknown definition (404) and a bad budget or permissions (422)', async () => {
      const def = await definition({ name: 'strict', role: 'planner' });
      expect((await api('POST', A, { body: { definitionId: MISSING } })).body.code).toBe('AGENT_DEFINITION_NOT_FOUND');
      expect((await api('POST', A, { body: { definitionId: 'not-a-uuid' } })).status).toBe(404);
      const bad = await api('POST', A, { body: { definitionId: def.id, budget: { maxTokens: -1 }, permissions: ['ok', 'no spaces'] } });
      expect([bad.status, bad.body.errors.map((e: { path: string }) => e.path)]).toEqual([422, ['budget.maxTokens', 'permissions[1]']]);
      expect((await api('POST', A, { body: { definitionId: def.id, budget: { maxTokens: 5, bogus: 1 } } })).status).toBe(400);
    });

    it("grants the definition's permissions to its agents, with those asked for added; PUT replaces them", async () => {
      const def = await definition({ name: 'privileged', role: 'executor', tools: ['calculator'], permissions: ['math', 'http'] });
      expect(def.permissions).toEqual(['math', 'http']);
      expect((await api('GET', `${D}/${def.id}`)).body.permissions).toEqual(['math', 'http']);

      const plain = await agent(def.id);
      expect(plain.grantedPermissions).toEqual(['math', 'http']);
      const extra = await agent(def.id, { permissions: ['destructive', 'http'] });
      expect(extra.grantedPermissions).toEqual(['math', 'http', 'destructive']);
      expect((await api('GET', `${A}/${extra.id}`)).body.grantedPermissions).toEqual(['math', 'http', 'destructive']);

      const replaced = await api('PUT', `${D}/${def.id}`, { body: { role: 'executor', permissions: ['fs:read'] } });
      expect([replaced.status, replaced.body.permissions]).toEqual([200, ['fs:read']]);
      expect((await agent(def.id)).grantedPermissions).toEqual(['fs:read']);
      expect((await api('GET', `${A}/${plain.id}`)).body.grantedPermissions).toEqual(['math', 'http']);
      const cleared = await api('PUT', `${D}/${def.id}`, { body: { role: 'executor' } });
      expect([cleared.status, cleared.body.permissions]).toEqual([200, []]);
      expect((await agent(def.id)).grantedPermissions).toEqual([]);
    });

    it('refuses invalid definition permissions (422)', async () => {
      const bad = await api('POST', D, { body: { name: 'bad-perms', role: 'executor', permissions: ['ok', 'no spaces', 'ok', ''] } });
      expect([bad.status, bad.headers.get('content-type'), bad.body.code]).toEqual([422, expect.stringContaining('application/problem+json'), 'VALIDATION_FAILED']);
      expect(bad.body.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
        ['permissions[1]', 'INVALID_FORMAT'],
        ['permissions[2]', 'DUPLICATE'],
        ['permissions[3]', 'INVALID_FORMAT'],
      ]);
      for (const permissions of ['http', [1], { http: true }]) {
        const typed = await api('POST', D, { body: { name: 'bad-perms', role: 'executor', permissions } });
        expect([typed.status, typed.body.code]).toEqual([422, 'VALIDATION_FAILED']);
        expect(typed.body.errors.length).toBeGreaterThan(0);
        for (const error of typed.body.errors) expect(error.path).toMatch(/^permissions/);
      }
      const def = await definition({ name: 'bad-perms', role: 'executor', permissions: ['http'] });
      const put = await api('PUT', `${D}/${def.id}`, { body: { role: 'executor', permissions: ['http', 'http'] } });
      expect([put.status, put.body.errors.map((e: { path: string }) => e.path)]).toEqual([422, ['permissions[1]']]);
      expect((await api('GET', `${D}/${def.id}`)).body).toMatchObject({ permissions: ['http'], revision: 1 });
    });

    it('grants and revokes permissions', async () => {
      const a = await agent((await definition({ name: 'perms', role: 'executor' })).id, { permissions: ['http'] });
      const granted = await api('POST', `${A}/${a.id}/permissions`, { body: { permissions: ['math', 'destructive', 'http'] } });
      expect([granted.status, granted.body.grantedPermissions, granted.body.revision]).toEqual([200, ['http', 'math', 'destructive'], 2]);
      const revoked = await api('DELETE', `${A}/${a.id}/permissions/destructive`);
      expect([revoked.status, revoked.body.grantedPermissions]).toEqual([200, ['http', 'math']]);
      const noop = await api('DELETE', `${A}/${a.id}/permissions/never-held`);
      expect([noop.status, noop.body.revision]).toEqual([200, 3]);
      expect((await api('POST', `${A}/${a.id}/permissions`, { body: { permissions: [] } })).status).toBe(422);
      expect((await api('POST', `${A}/${a.id}/permissions`, { body: { permissions: ['bad perm'] } })).status).toBe(422);
      expect((await api('POST', `${A}/${a.id}/permissions`, { body: {} })).status).toBe(422);
      expect(await events(a.id)).toEqual(['AgentCreated', 'AgentBecameIdle', 'AgentPermissionGranted', 'AgentPermissionRevoked']);
    });

    it('reports usage, resets the budget (with and without new limits) and keeps the ledger', async () => {
      const a = await agent((await definition({ name: 'spender', role: 'reasoner' })).id, { budget: { maxTokens: 1000 } });
      const { RecordAgentUsageCommand } = await import('@cognition/agent/contracts');
      const bus = app.get(CommandBus);
      await bus.execute(new RecordAgentUsageCommand(tenantId, a.id, { kind: 'model_call', name: 'echo', provider: 'echo', tokensIn: 500, tokensOut: 350, costUsd: 0.002, durationMs: 1200 }));
      await bus.execute(new RecordAgentUsageCommand(tenantId, a.id, { kind: 'tool_call', name: 'calculator', tokensIn: 0, tokensOut: 0, costUsd: 0, durationMs: 30, status: 'failed', error: { code: 'E', message: 'nope' } }));
      await expect(bus.execute(new RecordAgentUsageCommand(tenantId, a.id, { kind: 'model_call', name: 'echo', tokensIn: 151, tokensOut: 0, costUsd: 0, durationMs: 1 }))).rejects.toMatchObject({
        code: 'BUDGET_EXCEEDED',
      });

      const usage = await api('GET', `${A}/${a.id}/usage`);
      expect(usage.status).toBe(200);
      expect(usage.body).toMatchObject({
        agentId: a.id,
        budgetLimits: { maxTokens: 1000 },
        budgetUsage: { tokensUsed: 850, costUsd: 0.002, timeSeconds: 1.23, toolExecutions: 1 },
        ledgerTotals: { tokensIn: 500, tokensOut: 350, costUsd: 0.002, durationMs: 1230, modelCalls: 1, toolCalls: 1 },
      });
      expect(usage.body.entries.map((e: { kind: string; status: string }) => [e.kind, e.status])).toEqual([
        ['tool_call', 'failed'],
        ['model_call', 'succeeded'],
      ]);
      expect((await api('GET', `${A}/${a.id}/usage?limit=1`)).body.entries).toHaveLength(1);
      expect((await api('GET', `${A}/${a.id}/usage?limit=0`)).status).toBe(422);
      expect((await api('GET', `${A}/${a.id}`)).body.budgetUsage.tokensUsed).toBe(850);

      const reset = await api('POST', `${A}/${a.id}/budget/reset`);
      expect([reset.status, reset.body.budgetUsage, reset.body.budgetLimits.maxTokens]).toEqual([200, { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 }, 1000]);
      const raised = await api('POST', `${A}/${a.id}/budget/reset`, { body: { maxTokens: 4000, maxToolExecutions: 3 } });
      expect(raised.body.budgetLimits).toEqual({ maxTokens: 4000, maxCostUsd: 1, maxTimeSeconds: 300, maxToolExecutions: 3 });
      expect((await api('POST', `${A}/${a.id}/budget/reset`, { body: { maxCostUsd: 0 } })).status).toBe(422);
      expect((await api('POST', `${A}/${a.id}/budget/reset`, { body: { maxPizzas: 1 } })).status).toBe(400);
      const after = await api('GET', `${A}/${a.id}/usage`);
      expect([after.body.budgetUsage.tokensUsed, after.body.ledgerTotals.tokensIn]).toEqual([0, 500]);
      expect(await events(a.id)).toEqual(['AgentCreated', 'AgentBecameIdle', 'AgentApproachingBudgetLimit', 'AgentBudgetExceeded', 'AgentBudgetReset', 'AgentBudgetReset']);
    });

    it('releases the task an agent holds when it is terminated: requeued for another agent', async () => {
      const a = await agent((await definition({ name: 'holder', role: 'executor' })).id);
      const task = await api('POST', '/api/v3/tasks', { body: { name: 'long job' } });
      expect(task.status).toBe(201);
      const { AssignTaskCommand } = await import('@cognition/task/contracts');
      const { AgentRepository } = await import('@cognition/agent/domain/agent.repository.port');
      const { TransactionHost } = await import('@cognition/platform/transaction/transaction');
      await app.get(CommandBus).execute(new AssignTaskCommand(tenantId, task.body.id, a.id));
      const repo = app.get(AgentRepository);
      await app.get(TransactionHost).withTransaction(async () => {
        const held = (await repo.findById(tenantId, a.id))!;
        held.assign(task.body.id, new Date());
        await repo.update(held);
      });
      expect((await api('GET', `${A}/${a.id}`)).body).toMatchObject({ status: 'assigned', currentTaskId: task.body.id });

      const terminated = await api('POST', `${A}/${a.id}/terminate`);
      expect([terminated.status, terminated.body.status, terminated.body.currentTaskId]).toEqual([200, 'terminated', null]);
      const released = await api('GET', `/api/v3/tasks/${task.body.id}`);
      expect(released.body).toMatchObject({ status: 'pending', assignedAgentId: null, attempt: task.body.attempt + 1, error: { code: 'AGENT_TERMINATED' } });
    });

    it('terminates once (409 the second time) and refuses changes to a terminated agent', async () => {
      const a = await agent((await definition({ name: 'short-lived', role: 'executor' })).id);
      const first = await api('POST', `${A}/${a.id}/terminate`, { body: { reason: 'scale down' } });
      expect([first.status, first.body.status, first.body.currentTaskId]).toEqual([200, 'terminated', null]);
      const again = await api('POST', `${A}/${a.id}/terminate`);
      expect([again.status, again.body.code]).toEqual([409, 'AGENT_TERMINATED']);
      expect((await api('POST', `${A}/${a.id}/permissions`, { body: { permissions: ['x'] } })).status).toBe(409);
      expect((await api('POST', `${A}/${a.id}/budget/reset`)).status).toBe(409);
      expect((await api('POST', `${A}/${a.id}/terminate`, { body: { reason: 'x', force: true } })).status).toBe(400);
      expect((await api('GET', `${A}?status=terminated`)).body.items.map((x: { id: string }) => x.id)).toContain(a.id);
      const [terminated] = await app.get(DataSource).query(`SELECT payload FROM domain_events WHERE aggregate_id = $1 AND type = 'AgentTerminated'`, [a.id]);
      expect(terminated.payload).toEqual({ agentId: a.id, reason: 'scale down' });
    });
  });

  it('documents every endpoint in the OpenAPI document', async () => {
    const doc = await api('GET', '/docs-json', { key: null });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        D,
        `${D}/{id}`,
        A,
        `${A}/{id}`,
        `${A}/{id}/terminate`,
        `${A}/{id}/budget/reset`,
        `${A}/{id}/permissions`,
        `${A}/{id}/permissions/{permission}`,
        `${A}/{id}/usage`,
      ]),
    );
    expect(doc.body.paths[D].post.requestBody.content['application/json'].schema.$ref).toContain('RegisterAgentDefinitionRequestDto');
    expect(doc.body.components.schemas.AgentUsageResponseDto.properties).toHaveProperty('ledgerTotals');
    expect(doc.body.components.schemas.RegisterAgentDefinitionRequestDto.properties.permissions).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(doc.body.components.schemas.AgentDefinitionResponseDto.properties).toHaveProperty('permissions');
  });

  it("hides another tenant's definitions and agents (404), and answers 404 for malformed ids", async () => {
    const def = await definition({ name: 'private', role: 'planner' });
    const a = await agent(def.id);
    const calls: [string, string, unknown?][] = [
      ['GET', `${D}/${def.id}`],
      ['PUT', `${D}/${def.id}`, { role: 'critic' }],
      ['DELETE', `${D}/${def.id}`],
      ['POST', A, { definitionId: def.id }],
      ['GET', `${A}/${a.id}`],
      ['POST', `${A}/${a.id}/terminate`],
      ['POST', `${A}/${a.id}/budget/reset`],
      ['POST', `${A}/${a.id}/permissions`, { permissions: ['x'] }],
      ['DELETE', `${A}/${a.id}/permissions/x`],
      ['GET', `${A}/${a.id}/usage`],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(method, path, { key: otherKey, body });
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 404, code: expect.stringMatching(/^AGENT_(DEFINITION_)?NOT_FOUND$/) });
    }
    expect((await api('GET', D, { key: otherKey })).body.items).toEqual([]);
    expect((await api('GET', A, { key: otherKey })).body.items).toEqual([]);
    for (const path of [`${D}/nope`, `${A}/nope`, `${A}/nope/usage`, `${A}/${MISSING}`]) expect((await api('GET', path)).status).toBe(404);
    expect((await api('GET', `${A}/${a.id}`)).body.status).toBe('idle');
    expect((await api('GET', A, { key: null })).status).toBe(401);
  });
});
