import { Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventTypeRegistry } from '@cognition/platform/outbox/event-type.registry';
import { ExecutionEventStream } from './api/execution-event-stream';
import { ExecutionsController } from './api/executions.controller';
import { CancelExecutionCommandHandler } from './application/commands/cancel-execution/cancel-execution.command-handler';
import { RetryExecutionCommandHandler } from './application/commands/retry-execution/retry-execution.command-handler';
import { SendSignalCommandHandler } from './application/commands/send-signal/send-signal.command-handler';
import { StartExecutionCommandHandler } from './application/commands/start-execution/start-execution.command-handler';
import { Clock } from './application/clock';
import { EngineMetrics } from './application/engine-metrics';
import { EngineSql } from './application/engine-sql';
import { GetExecutionQueryHandler } from './application/queries/get-execution/get-execution.query-handler';
import { ListExecutionsQueryHandler } from './application/queries/list-executions/list-executions.query-handler';
import { ListExecutionStepsQueryHandler } from './application/queries/list-execution-steps/list-execution-steps.query-handler';
import { Scheduler } from './application/scheduler';
import { StepHandlers } from './application/step-handlers';
import { StepRunner } from './application/worker/step-runner';
import { StepInputs } from './application/worker/step-inputs';
import { StepWorker } from './application/worker/step-worker';
import { WorkflowPlans } from './application/workflow-plans';
import { EXECUTION_EVENTS } from './contracts';
import { ResumeAgentTaskStepOnTaskOutcomeEventHandler } from './application/event-handlers/resume-agent-task-step-on-task-outcome.event-handler';
import { LinkAgentTaskStepOnTaskAssignedEventHandler } from './application/event-handlers/link-agent-task-step-on-task-assigned.event-handler';
import { AgentTaskStepType } from './step-types/agent-task.step-type';
import { DelayStepType } from './step-types/delay.step-type';
import { HttpRequestStepType } from './step-types/http-request';
import { SubWorkflowStepType } from './step-types/sub-workflow.step-type';
import { TransformStepType } from './step-types/transform.step-type';
import { WaitForSignalStepType } from './step-types/wait-for-signal.step-type';
import { ExecutionsRetentionJob } from './infrastructure/executions.retention-job';

/**
 * The durable engine: executions and their steps in PostgreSQL, workers that claim and run them,
 * schedules, signals, and the built-in step types. Applications add step types by providing
 * classes marked @StepType(name) in any module.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [ExecutionsController],
  providers: [
    EngineSql,
    EngineMetrics,
    WorkflowPlans,
    StepHandlers,
    StepRunner,
    StepInputs,
    StepWorker,
    Scheduler,
    Clock,
    ExecutionEventStream,
    StartExecutionCommandHandler,
    CancelExecutionCommandHandler,
    RetryExecutionCommandHandler,
    SendSignalCommandHandler,
    GetExecutionQueryHandler,
    ListExecutionsQueryHandler,
    ListExecutionStepsQueryHandler,
    TransformStepType,
    HttpRequestStepType,
    DelayStepType,
    WaitForSignalStepType,
    SubWorkflowStepType,
    AgentTaskStepType,
    ResumeAgentTaskStepOnTaskOutcomeEventHandler,
    LinkAgentTaskStepOnTaskAssignedEventHandler,
    ExecutionsRetentionJob,
  ],
  exports: [StepWorker, Scheduler, Clock],
})
export class EngineModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...EXECUTION_EVENTS);
  }
}
