import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '@cognition/platform/outbox/event-type.registry';
import { TasksController } from './api/tasks.controller';
import { AssignTaskCommandHandler } from './application/commands/assign-task/assign-task.command-handler';
import { CancelTaskCommandHandler } from './application/commands/cancel-task/cancel-task.command-handler';
import { ClaimAssignableTasksCommandHandler } from './application/commands/claim-assignable-tasks/claim-assignable-tasks.command-handler';
import { CompleteTaskCommandHandler } from './application/commands/complete-task/complete-task.command-handler';
import { CreateTaskCommandHandler } from './application/commands/create-task/create-task.command-handler';
import { CreateTasksCommandHandler } from './application/commands/create-tasks/create-tasks.command-handler';
import { FailTaskCommandHandler } from './application/commands/fail-task/fail-task.command-handler';
import { RetryTaskCommandHandler } from './application/commands/retry-task/retry-task.command-handler';
import { StartTaskCommandHandler } from './application/commands/start-task/start-task.command-handler';
import { CancelTasksOnWorkflowExecutionCancelledEventHandler } from './application/event-handlers/cancel-tasks-on-workflow-execution-cancelled.event-handler';
import { GetTaskQueryHandler } from './application/queries/get-task/get-task.query-handler';
import { ListTasksQueryHandler } from './application/queries/list-tasks/list-tasks.query-handler';
import { TaskCascade } from './application/task-cascade';
import { TaskCreator } from './application/task-creator';
import { TASK_EVENTS } from './contracts';
import { TaskIdempotencyStore } from './domain/task-idempotency.port';
import { TaskRepository } from './domain/task.repository.port';
import { TypeOrmTaskIdempotencyStore } from './infrastructure/typeorm-task-idempotency.store';
import { TypeOrmTaskRepository } from './infrastructure/typeorm-task.repository';

/** Tasks: the queue agents work through (priorities, dependencies, retries, cancel). */
@Module({
  controllers: [TasksController],
  providers: [
    { provide: TaskRepository, useClass: TypeOrmTaskRepository },
    { provide: TaskIdempotencyStore, useClass: TypeOrmTaskIdempotencyStore },
    TaskCreator,
    TaskCascade,
    CreateTaskCommandHandler,
    CreateTasksCommandHandler,
    CancelTaskCommandHandler,
    RetryTaskCommandHandler,
    ClaimAssignableTasksCommandHandler,
    AssignTaskCommandHandler,
    StartTaskCommandHandler,
    CompleteTaskCommandHandler,
    FailTaskCommandHandler,
    GetTaskQueryHandler,
    ListTasksQueryHandler,
    CancelTasksOnWorkflowExecutionCancelledEventHandler,
  ],
})
export class TaskModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...TASK_EVENTS);
  }
}
