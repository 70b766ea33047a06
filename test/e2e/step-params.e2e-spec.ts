import { Injectable, Module } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { StepContext, StepHandler } from '../../src';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { createTestDatabase, TestDatabase, testEnv } from '../support/test-database';

const W = '/api/v3/workflows';

/**
 * Typed step params (SPEC section 4): every step type declares a JSON Schema for its params,
 * definitions are checked against it at creation and edit (422, a JSON pointer per problem), and
 * the OpenAPI document publishes steps as a union discriminated by `type`, custom types included.
 */
describe('typed step params', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    db = await createTestDatabase('step_params');
    testEnv(db);
    const cognition = await import('../../src');
    const { AppModule } = await import('@cognition/app/app.module');

    @Injectable()
    @cognition.StepType('shout', {
      params: {
        type: 'object',
        required: ['text'],
        properties: { text: { type: 'string', minLength: 1 }, times: { type: 'integer', minimum: 1, maximum: 5 } },
        additionalProperties: false,
      },
    })
    class ShoutStep implements StepHandler {
      async execute(context: StepContext): Promise<unknown> {
        return `${String(context.params.text).toUpperCase()}!`.repeat((context.params.times as number | undefined) ?? 1);
      }
    }

    @Injectable()
    @cognition.StepType('anything_goes')
    class AnythingStep implements StepHandler {
      async execute(context: StepContext): Promise<unknown> {
        return context.params;
      }
    }

    @Module({ providers: [ShoutStep, AnythingStep] })
    class MyStepsModule {}

    @Module({ imports: [AppModule, MyStepsModule] })
    class UserAppModule {}

    app = await cognition.createApp(UserAppModule);
    await app.listen(0, '127.0.0.1');
    const keys = app.get(cognition.ApiKeyService);
    const issued = await keys.createKey((await keys.createTenant('typed')).id, 'test');
    api = apiClient(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, issued.key);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const definition = (steps: unknown[], id = 'typed') => ({ id, version: '1.0.0', name: 'Typed', steps });

  it('refuses bad params of built-in and custom types with 422, one problem per JSON pointer', async () => {
    const res = await api('POST', W, {
      body: definition([
        { id: 'wait', type: 'delay', params: { seconds: 'soon' } },
        { id: 'call', type: 'http_request', params: { method: 'FETCH', timeoutMs: 0 } },
        { id: 'ask', type: 'agent_task', agentRole: 'summarizer', params: { prompt: 'old name', priority: 'urgent' } },
        { id: 'loud', type: 'shout', params: { text: '', times: 9, volume: 11 } },
        { id: 'sig', type: 'wait_for_signal', params: { signal: 'has spaces' } },
        { id: 'mem', type: 'memory_search', params: { query: 'tea', k: 500, filters: { scope: 'planet' } } },
      ]),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const problems = res.body.errors.map((e: { pointer: string; code: string; message: string }) => [e.pointer, e.code, e.message]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ['/steps/0/params/seconds', 'INVALID_PARAMS', 'must be number'],
        ['/steps/1/params/url', 'INVALID_PARAMS', 'is required'],
        ['/steps/1/params/method', 'INVALID_PARAMS', expect.stringContaining('must be equal to one of the allowed values')],
        ['/steps/1/params/timeoutMs', 'INVALID_PARAMS', 'must be >= 1'],
        ['/steps/2/params/instructions', 'INVALID_PARAMS', 'is required'],
        ['/steps/2/params/prompt', 'INVALID_PARAMS', 'is not a known param'],
        ['/steps/2/params/priority', 'INVALID_PARAMS', expect.stringContaining('"critical", "high", "medium", "low"')],
        ['/steps/3/params/text', 'INVALID_PARAMS', 'must NOT have fewer than 1 characters'],
        ['/steps/3/params/times', 'INVALID_PARAMS', 'must be <= 5'],
        ['/steps/3/params/volume', 'INVALID_PARAMS', 'is not a known param'],
        ['/steps/4/params/signal', 'INVALID_PARAMS', expect.stringContaining('must match pattern')],
        ['/steps/5/params/k', 'INVALID_PARAMS', 'must be <= 100'],
        ['/steps/5/params/filters/scope', 'INVALID_PARAMS', expect.stringContaining('allowed values')],
      ]),
    );
    expect(problems).toHaveLength(13);
    expect(res.body.errors[0]).toMatchObject({ path: 'steps[0].params.seconds' });

    // Other problems of the definition carry a pointer too.
    const dag = await api('POST', W, { body: definition([{ id: 'a', type: 'transform', dependsOn: ['ghost'], params: { output: 1 } }]) });
    expect(dag.status).toBe(422);
    expect(dag.body.errors).toEqual([expect.objectContaining({ path: 'steps[0].dependsOn[0]', pointer: '/steps/0/dependsOn/0', code: 'UNKNOWN_DEPENDENCY' })]);
  });

  it('accepts ${{ … }} templates wherever a value is, and checks a draft edit the same way', async () => {
    const created = await api('POST', W, {
      body: definition([
        { id: 'wait', type: 'delay', params: { seconds: '${{ inputs.pause }}' } },
        { id: 'loud', type: 'shout', dependsOn: ['wait'], params: { text: 'hi ${{ inputs.name }}', times: '${{ inputs.times }}' } },
        { id: 'free', type: 'anything_goes', params: { whatever: [1, { nested: true }] } },
      ]),
    });
    expect(created.status).toBe(201);

    const edit = await api('PUT', `${W}/typed/versions/1.0.0`, { body: { name: 'Typed', steps: [{ id: 'loud', type: 'shout', params: { times: 2 } }] } });
    expect(edit.status).toBe(422);
    expect(edit.body.errors).toEqual([expect.objectContaining({ pointer: '/steps/0/params/text', code: 'INVALID_PARAMS', message: 'is required' })]);

    const fixed = await api('PUT', `${W}/typed/versions/1.0.0`, { body: { name: 'Typed', steps: [{ id: 'loud', type: 'shout', params: { text: 'x', times: 2 } }] } });
    expect(fixed.status).toBe(200);
  });

  it('runs a step whose templated params render to valid values', async () => {
    await activeWorkflow(api, {
      id: 'typed-run',
      steps: [{ id: 'loud', type: 'shout', params: { text: 'hi ${{ inputs.name }}', times: '${{ inputs.times }}' } }],
    });
    const done = await waitForExecution(api, (await start(api, 'typed-run', { name: 'ada', times: 2 })).body.id);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual({ loud: 'HI ADA!HI ADA!' });
  });

  it('publishes steps as a union discriminated by type, each branch with its typed params', async () => {
    const doc = (await api('GET', '/docs-json', { key: null })).body;
    const schemas = doc.components.schemas;
    for (const base of ['StepRequestDto', 'StepResponseDto']) {
      const union = schemas[base];
      expect(union.discriminator.propertyName).toBe('type');
      const types = Object.keys(union.discriminator.mapping).sort();
      expect(types).toEqual(
        expect.arrayContaining(['agent_task', 'anything_goes', 'delay', 'http_request', 'memory_search', 'memory_store', 'shout', 'sub_workflow', 'transform', 'wait_for_signal']),
      );
      expect(union.oneOf.map((b: { $ref: string }) => b.$ref).sort()).toEqual(Object.values(union.discriminator.mapping).sort());
      for (const type of types) {
        const branch = schemas[union.discriminator.mapping[type].replace('#/components/schemas/', '')];
        expect(branch.properties.type).toEqual({ type: 'string', enum: [type] });
        // The step's common fields stay in every branch.
        expect(Object.keys(branch.properties)).toEqual(expect.arrayContaining(['id', 'name', 'dependsOn', 'timeoutSeconds', 'retry', 'condition', 'forEach', 'agentRole', 'concurrencyKey']));
        expect(branch.required).toEqual(expect.arrayContaining(['id', 'type']));
      }
    }
    const request = (type: string) => schemas[schemas.StepRequestDto.discriminator.mapping[type].replace('#/components/schemas/', '')];
    expect(request('http_request').required).toContain('params');
    expect(request('http_request').properties.params).toMatchObject({ required: ['url'], additionalProperties: false });
    expect(request('http_request').properties.params.properties.timeoutMs.anyOf).toEqual([
      expect.objectContaining({ type: 'integer', minimum: 1 }),
      expect.objectContaining({ type: 'string', pattern: expect.stringContaining('\\$\\{\\{') }),
    ]);
    expect(request('agent_task').properties.params).toMatchObject({
      required: ['instructions'],
      properties: { instructions: { anyOf: [{ type: 'string', minLength: 1 }, expect.objectContaining({ type: 'string' })] }, capabilities: expect.any(Object), outputSchema: expect.any(Object), input: expect.any(Object) },
    });
    expect(request('shout').properties.params).toMatchObject({ required: ['text'], properties: { text: { anyOf: [{ type: 'string', minLength: 1 }, expect.any(Object)] } } });
    expect(request('anything_goes').properties.params).toMatchObject({ type: 'object', additionalProperties: true });
    expect(request('anything_goes').required).not.toContain('params');
    // OpenAPI 3.0 publishes an exclusive minimum as `minimum` (its boolean form breaks JSON Schema validators); 3.1 as JSON Schema does.
    const exclusive = doc.openapi.startsWith('3.0') ? { minimum: 0 } : { exclusiveMinimum: 0 };
    expect(request('wait_for_signal').properties.params.properties.timeoutSeconds.anyOf[0]).toMatchObject(exclusive);
    // The workflow bodies still point at the union.
    expect(JSON.stringify(schemas.CreateWorkflowRequestDto.properties.steps)).toContain('#/components/schemas/StepRequestDto');
  });
});
