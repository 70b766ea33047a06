import { definition, TENANT, workflowUnitModule } from '@cognition/test-support/workflow-unit-module';
import { CreateWorkflowCommand } from '@cognition/workflow/contracts/commands/create-workflow.command';
import { CreateWorkflowCommandHandler } from '../create-workflow/create-workflow.command-handler';
import { ChangeWorkflowStatusCommand } from '@cognition/workflow/contracts/commands/change-workflow-status.command';
import { ChangeWorkflowStatusCommandHandler } from './change-workflow-status.command-handler';

describe('ChangeWorkflowStatusCommandHandler', () => {
  it('walks draft → active → deprecated → archived and refuses going back', async () => {
    const { moduleRef, repo } = await workflowUnitModule(CreateWorkflowCommandHandler, ChangeWorkflowStatusCommandHandler);
    await moduleRef.get(CreateWorkflowCommandHandler).execute(new CreateWorkflowCommand(TENANT, 'wf', '1.0.0', definition()));
    const handler = moduleRef.get(ChangeWorkflowStatusCommandHandler);
    const run = (action: 'activate' | 'deprecate' | 'archive') => handler.execute(new ChangeWorkflowStatusCommand(TENANT, 'wf', '1.0.0', action));
    expect((await run('activate')).status).toBe('active');
    expect((await run('deprecate')).status).toBe('deprecated');
    await expect(run('activate')).rejects.toMatchObject({ code: 'WORKFLOW_INVALID_TRANSITION' });
    expect((await run('archive')).status).toBe('archived');
    await expect(run('archive')).rejects.toMatchObject({ code: 'WORKFLOW_INVALID_TRANSITION' });
    expect(repo.publishedEvents.map((e) => e.type)).toEqual(['WorkflowCreated', 'WorkflowActivated', 'WorkflowDeprecated', 'WorkflowArchived']);
  });
});
