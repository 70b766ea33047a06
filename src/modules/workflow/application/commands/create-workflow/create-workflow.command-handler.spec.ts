import { definition, TENANT, workflowUnitModule } from '@cognition/test-support/workflow-unit-module';
import { CreateWorkflowCommand } from '@cognition/workflow/contracts/commands/create-workflow.command';
import { CreateWorkflowCommandHandler } from './create-workflow.command-handler';

describe('CreateWorkflowCommandHandler', () => {
  it('stores a draft and records WorkflowCreated', async () => {
    const { moduleRef, repo } = await workflowUnitModule(CreateWorkflowCommandHandler);
    const result = await moduleRef.get(CreateWorkflowCommandHandler).execute(new CreateWorkflowCommand(TENANT, 'wf', '1.0.0', definition(), 'draft', 'alice'));
    expect(result).toMatchObject({ workflowId: 'wf', version: '1.0.0', status: 'draft', createdBy: 'alice', revision: 1 });
    expect(repo.publishedEvents.map((e) => e.type)).toEqual(['WorkflowCreated']);
    expect((await repo.findVersion(TENANT, 'wf', '1.0.0'))?.status).toBe('draft');
  });

  it('publishes at once when asked for status active', async () => {
    const { moduleRef, repo } = await workflowUnitModule(CreateWorkflowCommandHandler);
    const result = await moduleRef.get(CreateWorkflowCommandHandler).execute(new CreateWorkflowCommand(TENANT, 'wf', '1.0.0', definition(), 'active'));
    expect(result.status).toBe('active');
    expect(repo.publishedEvents.map((e) => e.type)).toEqual(['WorkflowCreated', 'WorkflowActivated']);
  });

  it('refuses a duplicate version and stores nothing for an invalid definition', async () => {
    const { moduleRef, repo } = await workflowUnitModule(CreateWorkflowCommandHandler);
    const handler = moduleRef.get(CreateWorkflowCommandHandler);
    await handler.execute(new CreateWorkflowCommand(TENANT, 'wf', '1.0.0', definition()));
    await expect(handler.execute(new CreateWorkflowCommand(TENANT, 'wf', '1.0.0', definition()))).rejects.toMatchObject({ code: 'WORKFLOW_VERSION_EXISTS' });
    await expect(handler.execute(new CreateWorkflowCommand(TENANT, 'bad', '1.0.0', definition({ steps: [{ id: 'a', type: 'nope' }] })))).rejects.toMatchObject({
      code: 'WORKFLOW_INVALID_DAG',
    });
    expect(await repo.findVersion(TENANT, 'bad', '1.0.0')).toBeNull();
    expect(repo.publishedEvents).toHaveLength(1);
  });
});
