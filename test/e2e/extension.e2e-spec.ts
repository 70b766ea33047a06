import { Body, Controller, Get, Injectable, Module, Param, Post } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { StepHandler } from '../../src';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { createTestDatabase, TestDatabase, testEnv } from '../support/test-database';

/**
 * An application that imports CognitionOS the way a user's Nest app would (from the package's
 * public index) and adds its own step type in its own module.
 */
describe('an application extending the engine with its own step type', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase('extension');
    testEnv(db);
    const cognition = await import('../../src');

    @Injectable()
    @cognition.StepType('shout')
    class ShoutStep implements StepHandler {
      async execute(context: import('../../src').StepContext): Promise<unknown> {
        if (typeof context.params.text !== 'string') throw new cognition.NonRetryableStepError('INVALID_PARAMS', 'text must be a string');
        return { text: `${context.params.text.toUpperCase()}!`, attempt: context.attempt };
      }
    }

    // The user's own controllers, under our prefix: authenticated unless @Public() (class or method).
    @Controller('greetings')
    class GreetingController {
      @Get(':name')
      greet(@cognition.TenantId() tenant: string, @Param('name') name: string) {
        return { tenant, text: `Hello, ${name}` };
      }

      @cognition.Public()
      @RouteConfig({ bodyLimit: 64 })
      @Post('open/:name')
      open(@Param('name') name: string) {
        return { text: `Hi, ${name}` };
      }
    }

    @cognition.Public()
    @Controller('webhooks')
    class WebhookController {
      @Post(':source')
      receive(@Param('source') source: string, @Body() body: unknown) {
        return { source, body };
      }

      @Get('tenant')
      tenant(@cognition.TenantId() tenant: string) {
        return { tenant };
      }
    }

    @Module({ providers: [ShoutStep], controllers: [GreetingController, WebhookController] })
    class MyStepsModule {}

    @Module({ imports: [cognition.CognitionOsCoreModule.forRoot(), cognition.WorkflowModule, cognition.EngineModule, MyStepsModule] })
    class UserAppModule {}

    app = await cognition.createApp(UserAppModule);
    await app.listen(0, '127.0.0.1');
    tenantId = (await app.get(cognition.ApiKeyService).createTenant('user-app')).id;
    const issued = await app.get(cognition.ApiKeyService).createKey(tenantId, 'test');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    api = apiClient(base, issued.key);

  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('validates definitions against the registered type and runs it', async () => {
    await activeWorkflow(api, {
      id: 'custom',
      steps: [
        { id: 'greet', type: 'shout', params: { text: 'hello ${{ inputs.name }}' } },
        { id: 'after', type: 'transform', dependsOn: ['greet'], params: { output: '${{ steps.greet.output.text }}' } },
      ],
    });
    const done = await waitForExecution(api, (await start(api, 'custom', { name: 'nest' })).body.id);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual({ greet: { text: 'HELLO NEST!', attempt: 1 }, after: 'HELLO NEST!' });

    const unknown = await api('POST', '/api/v3/workflows', { body: { id: 'other', version: '1.0.0', name: 'x', steps: [{ id: 'a', type: 'whisper' }] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].message).toMatch(/shout/);
  });

  it("authenticates the application's own routes under the prefix, and not its @Public() ones", async () => {
    // The user's routes are not in our contract: their answers are not checked against it.
    const anonymous = (method: string, path: string, options: { body?: unknown } = {}) => api(method, path, { ...options, key: null, contract: false });
    const greeted = await api('GET', '/api/v3/greetings/ada', { contract: false });
    expect(greeted.status).toBe(200);
    expect(greeted.body).toEqual({ tenant: tenantId, text: 'Hello, ada' });
    expect(greeted.headers.get('ratelimit-limit')).toBeTruthy();

    const refused = await anonymous('GET', '/api/v3/greetings/ada');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'UNAUTHORIZED' });

    // Public on the method, with its own route config (a body limit) kept.
    const open = await anonymous('POST', '/api/v3/greetings/open/bob', { body: {} });
    expect(open.status).toBe(201);
    expect(open.body).toEqual({ text: 'Hi, bob' });
    expect(open.headers.get('ratelimit-limit')).toBeNull();
    expect((await anonymous('POST', '/api/v3/greetings/open/bob', { body: { text: 'x'.repeat(100) } })).status).toBe(413);

    // Public on the class: every route of it, without a key; a tenant read there is a 401, not a 500.
    const hook = await anonymous('POST', '/api/v3/webhooks/github', { body: { ok: true } });
    expect(hook.status).toBe(201);
    expect(hook.body).toEqual({ source: 'github', body: { ok: true } });
    const noTenant = await anonymous('GET', '/api/v3/webhooks/tenant');
    expect(noTenant.status).toBe(401);
    expect(noTenant.body).toMatchObject({ code: 'UNAUTHORIZED' });

    // An unknown URL under the prefix is a 404 without a key, not a 401: only routes get the check.
    expect((await anonymous('GET', '/api/v3/nothing-here')).status).toBe(404);
  });
});
