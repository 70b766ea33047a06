import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '../../platform/outbox/event-type.registry';
import { TASK_EVENTS } from './contracts';

/** Tasks: the queue agents work through (priorities, dependencies, retries, cancel). */
@Module({
  controllers: [],
  providers: [],
})
export class TaskModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...TASK_EVENTS);
  }
}
