import { definition, TENANT, workflowUnitModule } from '@cognition/test-support/workflow-unit-module';
import { CreateWorkflowCommand } from '@cognition/workflow/contracts/commands/create-workflow.command';
import { CreateWorkflowCommandHandler } from '../create-workflow/create-workflow.command-handler';
import { DeleteWorkflowDraftCommand } from '@cognition/workflow/contracts/commands/delete-workflow-draft.command';
import { DeleteWorkflowDraftCommandHandler } from './delete-workflow-draft.command-handler';

describe('DeleteWorkflowDraftCommandHandler', () => {
  it('deletes a draft with a WorkflowDeleted event, and refuses an active version', async () => {
    const { moduleRef, repo } = await workflowUnitModule(CreateWorkflowCommandHandler, DeleteWorkflowDraftCommandHandler);
    const create = moduleRef.get(CreateWorkflowCommandHandler);
    const handler = moduleRef.get(DeleteWorkflowDraftCommandHandler);
    await create.execute(new CreateWorkflowCommand(TENANT, 'draft', '1.0.0', definition()));
    await create.execute(new CreateWorkflowCommand(TENANT, 'live', '1.0.0', definition(), 'active'));
    await handler.execute(new DeleteWorkflowDraftCommand(TENANT, 'draft', '1.0.0'));
    expect(await repo.findVersion(TENANT, 'draft', '1.0.0')).toBeNull();
    expect(repo.publishedEvents.map((e) => e.type)).toContain('WorkflowDeleted');
    await expect(handler.execute(new DeleteWorkflowDraftCommand(TENANT, 'live', '1.0.0'))).rejects.toMatchObject({ code: 'WORKFLOW_NOT_DRAFT' });
    expect(await repo.findVersion(TENANT, 'live', '1.0.0')).not.toBeNull();
  });
});
