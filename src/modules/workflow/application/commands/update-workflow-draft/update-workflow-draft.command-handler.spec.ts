import { definition, TENANT, workflowUnitModule } from '@cognition/test-support/workflow-unit-module';
import { CreateWorkflowCommand } from '@cognition/workflow/contracts/commands/create-workflow.command';
import { CreateWorkflowCommandHandler } from '../create-workflow/create-workflow.command-handler';
import { UpdateWorkflowDraftCommand } from '@cognition/workflow/contracts/commands/update-workflow-draft.command';
import { UpdateWorkflowDraftCommandHandler } from './update-workflow-draft.command-handler';

describe('UpdateWorkflowDraftCommandHandler', () => {
  async function setup(status: 'draft' | 'active') {
    const ctx = await workflowUnitModule(CreateWorkflowCommandHandler, UpdateWorkflowDraftCommandHandler);
    await ctx.moduleRef.get(CreateWorkflowCommandHandler).execute(new CreateWorkflowCommand(TENANT, 'wf', '1.0.0', definition(), status));
    return { ...ctx, handler: ctx.moduleRef.get(UpdateWorkflowDraftCommandHandler) };
  }

  it('replaces a draft and bumps its revision', async () => {
    const { handler, repo } = await setup('draft');
    const result = await handler.execute(new UpdateWorkflowDraftCommand(TENANT, 'wf', '1.0.0', definition({ name: 'Renamed', tags: ['t'] })));
    expect(result).toMatchObject({ name: 'Renamed', tags: ['t'], revision: 2 });
    expect(repo.publishedEvents.map((e) => e.type)).toEqual(['WorkflowCreated', 'WorkflowUpdated']);
  });

  it('refuses to edit a non-draft, and a missing or foreign workflow is not found', async () => {
    const { handler } = await setup('active');
    await expect(handler.execute(new UpdateWorkflowDraftCommand(TENANT, 'wf', '1.0.0', definition()))).rejects.toMatchObject({ code: 'WORKFLOW_NOT_DRAFT' });
    await expect(handler.execute(new UpdateWorkflowDraftCommand(TENANT, 'nope', '1.0.0', definition()))).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
    const other = '00000000-0000-7000-8000-000000000002';
    await expect(handler.execute(new UpdateWorkflowDraftCommand(other, 'wf', '1.0.0', definition()))).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
  });
});
