import { Provider, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ClsPluginTransactional, NoOpTransactionalAdapter } from '@nestjs-cls/transactional';
import { ClsModule } from 'nestjs-cls';
import { StaticStepTypeRegistry, StepTypeRegistry } from '@cognition/workflow/domain/step-type-registry';
import { WorkflowRepository } from '@cognition/workflow/domain/workflow.repository.port';
import { InMemoryWorkflowRepository } from './fakes/in-memory-workflow.repository';

/**
 * A Nest module for unit tests of workflow handlers: the in-memory repository, the built-in step
 * types, and a no-op transaction adapter so @Transactional() runs without a database.
 */
export async function workflowUnitModule(...handlers: Type<unknown>[]): Promise<{ moduleRef: TestingModule; repo: InMemoryWorkflowRepository }> {
  const repo = new InMemoryWorkflowRepository();
  const providers: Provider[] = [
    ...handlers,
    { provide: WorkflowRepository, useValue: repo },
    { provide: StepTypeRegistry, useValue: new StaticStepTypeRegistry() },
  ];
  const moduleRef = await Test.createTestingModule({
    imports: [ClsModule.forRoot({ plugins: [new ClsPluginTransactional({ adapter: new NoOpTransactionalAdapter({ tx: {}, disableWarning: true }) })] })],
    providers,
  }).compile();
  return { moduleRef, repo };
}

export const TENANT = '00000000-0000-7000-8000-000000000001';

export function definition(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Two steps',
    steps: [
      { id: 'a', type: 'transform', params: { output: 1 } },
      { id: 'b', type: 'transform', dependsOn: ['a'], params: { output: '${{ steps.a.output }}' } },
    ],
    ...overrides,
  };
}
