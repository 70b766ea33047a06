import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '@cognition/platform/outbox/event-type.registry';
import { WorkflowController } from './api/workflow.controller';
import { ChangeWorkflowStatusCommandHandler } from './application/commands/change-workflow-status/change-workflow-status.command-handler';
import { CreateWorkflowCommandHandler } from './application/commands/create-workflow/create-workflow.command-handler';
import { DeleteWorkflowDraftCommandHandler } from './application/commands/delete-workflow-draft/delete-workflow-draft.command-handler';
import { UpdateWorkflowDraftCommandHandler } from './application/commands/update-workflow-draft/update-workflow-draft.command-handler';
import { AnalyzeWorkflowQueryHandler } from './application/queries/analyze-workflow/analyze-workflow.query-handler';
import { GetWorkflowVersionQueryHandler } from './application/queries/get-workflow-version/get-workflow-version.query-handler';
import { GetWorkflowQueryHandler } from './application/queries/get-workflow/get-workflow.query-handler';
import { ListWorkflowVersionsQueryHandler } from './application/queries/list-workflow-versions/list-workflow-versions.query-handler';
import { ListScheduledWorkflowsQueryHandler } from './application/queries/list-scheduled-workflows/list-scheduled-workflows.query-handler';
import { ListWorkflowsQueryHandler } from './application/queries/list-workflows/list-workflows.query-handler';
import { WORKFLOW_EVENTS } from './contracts';
import { StepTypeRegistry } from './domain/step-type-registry';
import { CatalogStepTypeRegistry } from './infrastructure/catalog-step-type.registry';
import { WorkflowRepository } from './domain/workflow.repository.port';
import { TypeOrmWorkflowRepository } from './infrastructure/typeorm-workflow.repository';
import { WorkflowReadModel } from './infrastructure/workflow-read-model';

/** Workflow definitions: versioned DAGs of steps, their lifecycle and analysis. */
@Module({
  controllers: [WorkflowController],
  providers: [
    { provide: WorkflowRepository, useClass: TypeOrmWorkflowRepository },
    { provide: StepTypeRegistry, useClass: CatalogStepTypeRegistry },
    WorkflowReadModel,
    CreateWorkflowCommandHandler,
    UpdateWorkflowDraftCommandHandler,
    ChangeWorkflowStatusCommandHandler,
    DeleteWorkflowDraftCommandHandler,
    GetWorkflowQueryHandler,
    GetWorkflowVersionQueryHandler,
    ListWorkflowVersionsQueryHandler,
    ListWorkflowsQueryHandler,
    AnalyzeWorkflowQueryHandler,
    ListScheduledWorkflowsQueryHandler,
  ],
})
export class WorkflowModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...WORKFLOW_EVENTS);
  }
}
