import { Injectable, Module } from '@nestjs/common';
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

    @Module({ providers: [ShoutStep] })
    class MyStepsModule {}

    @Module({ imports: [cognition.CognitionOsCoreModule.forRoot(), cognition.WorkflowModule, cognition.EngineModule, MyStepsModule] })
    class UserAppModule {}

    app = await cognition.createApp(UserAppModule);
    await app.listen(0, '127.0.0.1');
    const issued = await app.get(cognition.ApiKeyService).createKey((await app.get(cognition.ApiKeyService).createTenant('user-app')).id, 'test');
    api = apiClient(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, issued.key);
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
});
